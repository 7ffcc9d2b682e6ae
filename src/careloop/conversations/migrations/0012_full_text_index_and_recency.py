# The full-text index over search_text: a stored tsvector with a GIN index on PostgreSQL
# (replacing the expression index of 0003, whose rechecks re-ran to_tsvector on every row),
# an FTS5 table kept in step by triggers on SQLite. See conversations.search_index.

from django.db import migrations, models

from careloop.core.migration_operations import RemovePostgresIndex


def install_index(apps, schema_editor):
    from careloop.conversations import search_index

    search_index.install(schema_editor.connection)


def uninstall_index(apps, schema_editor):
    from careloop.conversations import search_index

    search_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0011_channel_sla_targets_and_priority_breakdown'),
    ]

    operations = [
        RemovePostgresIndex(
            model_name='conversation',
            name='conv_search_gin',
        ),
        migrations.AddIndex(
            model_name='conversation',
            index=models.Index(fields=['updated_at', 'id'], name='conv_recent'),
        ),
        migrations.RunPython(install_index, uninstall_index, elidable=False),
    ]
