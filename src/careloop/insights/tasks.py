"""Background work for insights: keeping the daily roll-ups current."""

from __future__ import annotations

from django.tasks import task

from careloop.insights import rollups, selectors


@task()
def refresh_rollups() -> int:
    """Recompute today, yesterday and every day touched since the last day; safe to repeat.
    Then warm the cached retention of the dashboard's preset periods."""
    written = rollups.refresh_recent()
    selectors.warm_preset_retention(rollups.local_today())
    return written
