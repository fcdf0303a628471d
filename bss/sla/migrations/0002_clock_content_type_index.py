"""The clock's content type needs no index of its own: sla_clock_object_idx (content_type, object_id)
serves every lookup by it, and each index is one more entry to write for every clock the jeopardy
scan moves. Only the index goes (the foreign key stays as it is, not re-created and re-validated)."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "sla_slaclock_content_type_id_6f18f010"  # Django's name for the column's index


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('sla', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='slaclock',
                    name='content_type',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name='+', to='contenttypes.contenttype'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "sla_slaclock" ("content_type_id")',
                ),
            ],
        ),
    ]
