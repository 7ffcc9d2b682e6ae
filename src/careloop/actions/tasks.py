"""Background work for the ledger: runs inline or on a Celery worker, through django.tasks."""

from __future__ import annotations

import logging

from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from careloop.actions import selectors, services
from careloop.core import calendar
from careloop.core.email_headers import send_mail
from careloop.core.links import absolute_url_for
from careloop.notifications import services as notifications

logger = logging.getLogger(__name__)


@task()
def send_action_reminders() -> int:
    """Email owners of items due within a day or overdue; at most one email per item per day."""
    today = calendar.today()
    sent = 0
    for item in selectors.due_for_reminder(today):
        # Claimed before sending: a second run (or a retry) skips the item rather than repeating.
        if not services.claim_reminder(item, today):
            continue
        notifications.notify(
            notifications.Kind.ACTION_DUE,
            [item.owner],
            item,
            ("Overdue: " if item.due < today else "Due soon: ") + item.title,
            url=reverse("actions:item", kwargs={"item_id": item.pk}),
            occasion=f"{item.due}:{'overdue' if item.due < today else 'soon'}",
        )
        context = {
            "item": item,
            "overdue": item.due < today,
            "item_url": absolute_url_for("actions:item", item_id=item.pk),
        }
        try:
            send_mail(
                subject=("Overdue: " if context["overdue"] else "Due soon: ") + item.title,
                message=render_to_string("actions/reminder_email.txt", context),
                from_email=None,
                recipient_list=[item.owner.email],
            )
        except Exception:
            # Unclaim, so the next run (or a retry) sends the reminder that did not go out.
            services.release_reminder(item, previous=item.last_reminded_on)
            # One item that cannot be sent must not keep the others' reminders back.
            logger.exception("Reminder for action item %s not sent; tried again next run", item.pk)
            continue
        sent += 1
    return sent
