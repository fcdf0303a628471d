from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from bss.pg import PostgresOnlySQL

# Identify contact searches "contains" on names, contact names and streets. On PostgreSQL,
# trigram GIN indexes on UPPER(...) serve Django's icontains (UPPER(col) LIKE UPPER('%q%')).
INDEXES = [
    ("customers_customer", "name", "customer_name_trgm"),
    ("customers_contact", "family_name", "contact_family_trgm"),
    ("customers_contact", "given_name", "contact_given_trgm"),
    ("customers_address", "street1", "address_street_trgm"),
    ("customers_contactmedium", "match_key", "medium_match_trgm"),
]
SQL = [f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (UPPER("{col}") gin_trgm_ops);'
       for table, col, name in INDEXES]
SQL += ['CREATE INDEX IF NOT EXISTS medium_match_like ON customers_contactmedium USING gin ("match_key" gin_trgm_ops);',
        'CREATE INDEX IF NOT EXISTS customer_name_upper ON customers_customer (UPPER("name") text_pattern_ops);',
        'CREATE INDEX IF NOT EXISTS address_city_upper ON customers_address (UPPER("city"));',
        'CREATE INDEX IF NOT EXISTS address_postcode_upper ON customers_address (UPPER("postcode"));']
REVERSE = [f"DROP INDEX IF EXISTS {name};" for _, _, name in INDEXES] + [
    "DROP INDEX IF EXISTS medium_match_like;", "DROP INDEX IF EXISTS customer_name_upper;",
    "DROP INDEX IF EXISTS address_city_upper;", "DROP INDEX IF EXISTS address_postcode_upper;"]


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [TrigramExtension(), PostgresOnlySQL(SQL, REVERSE)]
