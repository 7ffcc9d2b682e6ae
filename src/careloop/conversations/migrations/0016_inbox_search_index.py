# A GIN index over the stored tsvector of the inbox's conversations only (the unfinished, not
# merged away): words typed in the inbox search that small index instead of intersecting the
# whole table's GIN index with 180 000 unfinished rows (120-200 ms at 1 M conversations, then
# 0.1-12 ms; bench/reads.py). PostgreSQL only: SQLite's FTS5 table has no partial form.

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS conv_inbox_search ON conversations_conversation "
    "USING gin (search_document) "
    "WHERE status IN ('open', 'pending', 'on_hold') AND merged_into_id IS NULL"
)
DROP = "DROP INDEX IF EXISTS conv_inbox_search"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0015_inbox_partial_indexes'),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
