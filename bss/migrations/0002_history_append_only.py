from django.db import migrations

from bss.pg import PostgresOnlySQL

# The history is append-only in the database too: UPDATE and DELETE are refused by a trigger,
# whatever code (or person with a SQL prompt) tries.
SQL = """
CREATE OR REPLACE FUNCTION bss_history_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'bss_historyentry is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER bss_history_append_only
  BEFORE UPDATE OR DELETE ON bss_historyentry
  FOR EACH ROW EXECUTE FUNCTION bss_history_append_only();
"""
REVERSE = """
DROP TRIGGER IF EXISTS bss_history_append_only ON bss_historyentry;
DROP FUNCTION IF EXISTS bss_history_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("bss", "0001_initial")]
    operations = [PostgresOnlySQL(SQL, REVERSE)]
