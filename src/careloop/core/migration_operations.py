"""Migration operations for indexes that only PostgreSQL can build."""

from __future__ import annotations

from typing import Any

from django.db.migrations.operations import AddIndex, RemoveIndex
from django.db.migrations.operations.base import Operation


class _OnPostgresOnly(Operation):
    """Touches the database on PostgreSQL only; elsewhere only the migration state changes."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, *args)


class AddPostgresIndex(_OnPostgresOnly, AddIndex):
    """AddIndex that is a no-op elsewhere: SQLite cannot build GIN or full-text indexes."""


class RemovePostgresIndex(_OnPostgresOnly, RemoveIndex):
    """RemoveIndex for an index only PostgreSQL built (see AddPostgresIndex)."""
