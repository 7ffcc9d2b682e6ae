"""The one declaration of careloop's periodic work.

Celery beat runs it when a broker is configured (`CELERY_BEAT_SCHEDULE` is made from it);
otherwise the in-process scheduler (`ops.scheduler`) started by `careloop serve`, `web` and
`demo` does. This module is plain data: settings import it before Django is set up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class PeriodicJob:
    """A task (by import path, taking no arguments) run every `every`."""

    name: str
    task_path: str
    every: timedelta


MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

# Declaration order is the order of a tick's due jobs: what people see first comes first.
SCHEDULE: tuple[PeriodicJob, ...] = (
    PeriodicJob(
        "refresh-care-priorities",
        "careloop.conversations.tasks.refresh_care_priorities",
        MINUTE,
    ),
    PeriodicJob(
        "score-unscored-messages",
        "careloop.conversations.tasks.score_unscored_messages",
        2 * MINUTE,
    ),
    PeriodicJob("send-due-surveys", "careloop.feedback.tasks.send_due_surveys", 10 * MINUTE),
    PeriodicJob(
        "end-idle-chats", "careloop.conversations.channels.chat.end_idle_chats_task", 5 * MINUTE
    ),
    PeriodicJob("retry-webhook-deliveries", "careloop.webhooks.tasks.retry_due_deliveries", MINUTE),
    PeriodicJob("deliver-due-gestures", "careloop.care.tasks.deliver_due_gestures", MINUTE),
    PeriodicJob(
        "escalate-overdue-gesture-requests",
        "careloop.care.tasks.escalate_overdue_requests",
        5 * MINUTE,
    ),
    PeriodicJob(
        "surface-customer-praise",
        "careloop.recognition.tasks.surface_recent_customer_praise",
        15 * MINUTE,
    ),
    PeriodicJob("send-action-reminders", "careloop.actions.tasks.send_action_reminders", HOUR),
    PeriodicJob(
        "send-coaching-check-in-reminders", "careloop.coaching.tasks.send_check_in_reminders", HOUR
    ),
    PeriodicJob("escalate-overdue-feedback", "careloop.feedback.tasks.escalate_overdue", HOUR),
    PeriodicJob(
        "send-playbook-review-reminders", "careloop.playbook.tasks.send_review_reminders", HOUR
    ),
    PeriodicJob("run-pulse-schedule", "careloop.pulse.tasks.run_pulse_schedule", HOUR),
    PeriodicJob("escalate-overdue-ideas", "careloop.pulse.tasks.escalate_overdue_ideas", HOUR),
    PeriodicJob("refresh-insights-rollups", "careloop.insights.tasks.refresh_rollups", HOUR),
    PeriodicJob(
        "schedule-relationship-surveys",
        "careloop.feedback.tasks.schedule_relationship_surveys",
        DAY,
    ),
    PeriodicJob("send-anniversary-emails", "careloop.feedback.tasks.send_anniversary_emails", DAY),
    PeriodicJob("refresh-feedback-themes", "careloop.feedback.tasks.refresh_themes", DAY),
    PeriodicJob("purge-expired-data", "careloop.core.tasks.purge_expired_data_task", DAY),
    PeriodicJob(
        "send-notification-digests",
        "careloop.notifications.tasks.send_notification_digests",
        HOUR,
    ),
)


def beat_schedule(jobs: tuple[PeriodicJob, ...] = SCHEDULE) -> dict[str, dict[str, object]]:
    """The schedule as Celery beat reads it: each job through `careloop.run_task`."""
    return {
        job.name: {
            "task": "careloop.run_task",
            "schedule": job.every.total_seconds(),
            "args": (job.task_path, [], {}),
        }
        for job in jobs
    }
