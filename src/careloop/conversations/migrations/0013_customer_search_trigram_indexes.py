# Trigram indexes for the customer look-up of the search over everything, on PostgreSQL only:
# `icontains` on name, email and company compiles to UPPER(column::text) LIKE UPPER(...),
# which these serve instead of a scan of every customer. SQLite scans (it has no such index).

from django.db import migrations

COLUMNS = ("full_name", "email", "company")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS customer_{column}_trgm ON conversations_customer "
            f"USING gin (upper(({column})::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS customer_{column}_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0012_full_text_index_and_recency'),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
