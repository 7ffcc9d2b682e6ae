"""Background work for notifications: runs inline or on a Celery worker, through django.tasks."""

from __future__ import annotations

from django.tasks import task

from careloop.notifications import services


@task()
def send_notification_digests() -> int:
    """Email each person who asked for a digest their unread notifications; safe to run twice."""
    return services.send_digests()
