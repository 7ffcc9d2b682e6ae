"""Rows whose storage order must not say when they arrived: anonymous answers and ratings.

Databases keep arrival order even without an increasing key (SQLite's hidden rowid, the physical
order PostgreSQL returns rows in), so a table of anonymous answers beside a list of who answered
when would pair them up. Writers shuffle what they insert and rewrite what is already stored.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet

# Looked up at each call, so a test may put a seeded shuffle in its place.
shuffle: Callable[[list[Any]], None] = secrets.SystemRandom().shuffle


def rewrite_in_random_order[M: Model](rows: QuerySet[M]) -> None:
    """Delete these rows and insert them again shuffled (rows nothing else points to)."""
    kept = list(rows)
    rows.delete()
    shuffle(kept)
    rows.model._default_manager.bulk_create(kept)
