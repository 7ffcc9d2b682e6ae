from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db.migrations.operations import AddIndex, RemoveIndex
from django.db.models import Index

from careloop.core.migration_operations import AddPostgresIndex, RemovePostgresIndex


def _editor(vendor: str) -> Any:
    return SimpleNamespace(connection=SimpleNamespace(vendor=vendor))


@pytest.mark.parametrize(
    ("operation", "parent"),
    [
        (AddPostgresIndex("conversation", Index(fields=["subject"], name="subject_idx")), AddIndex),
        (RemovePostgresIndex("conversation", "subject_idx"), RemoveIndex),
    ],
)
@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])
def test_index_operations_touch_only_postgresql(
    monkeypatch: pytest.MonkeyPatch, operation: Any, parent: type, vendor: str
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(parent, "database_forwards", lambda *args: calls.append("forwards"))
    monkeypatch.setattr(parent, "database_backwards", lambda *args: calls.append("backwards"))
    operation.database_forwards("conversations", _editor(vendor), None, None)
    operation.database_backwards("conversations", _editor(vendor), None, None)
    assert calls == (["forwards", "backwards"] if vendor == "postgresql" else [])
