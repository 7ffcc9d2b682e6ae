"""Background work for insights: keeping the daily roll-ups current."""

from __future__ import annotations

from django.tasks import task

from careloop.insights import rollups


@task()
def refresh_rollups() -> int:
    """Recompute today, yesterday and every day touched since the last day, then today's
    retention roll-up; safe to repeat."""
    return rollups.refresh_recent()
