"""Background work for the playbook: remind owners of articles past their review date."""

from __future__ import annotations

import logging

from django.tasks import task
from django.template.loader import render_to_string

from careloop.core import calendar
from careloop.core.email_headers import send_mail
from careloop.core.links import absolute_url_for
from careloop.playbook import selectors, services

logger = logging.getLogger(__name__)


@task()
def send_review_reminders() -> int:
    """Email the owner of each stale article, at most once a week per article."""
    today = calendar.today()
    sent = 0
    for article in selectors.due_for_reminder(today):
        previous = article.last_reminded_on
        # Claimed before sending: a second run in the same week skips the article.
        if not services.claim_reminder(article, today):
            continue
        context = {
            "article": article,
            "article_url": absolute_url_for("playbook:article", pk=article.pk),
        }
        try:
            send_mail(
                subject=f"Time to review: {article.title}",
                message=render_to_string("playbook/review_reminder_email.txt", context),
                from_email=None,
                recipient_list=[article.owner.email],
            )
        except Exception:
            services.release_reminder(article, previous)
            logger.exception("Review reminder for article %s not sent", article.pk)
            continue
        sent += 1
    return sent
