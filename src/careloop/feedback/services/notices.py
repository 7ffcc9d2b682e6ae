"""The emails about a concern or a recovery task: who handles concerns, and the one link
each email carries (the row's staff page), so the task and the escalation write them alike."""

from __future__ import annotations

from django.template.loader import render_to_string

from careloop.core.email_headers import send_mail
from careloop.core.links import absolute_url_for
from careloop.core.permissions import Action, holders
from careloop.feedback.models import Concern, RecoveryTask


def concern_handler_emails() -> list[str]:
    """The addresses of everyone active who may handle confidential concerns."""
    return list(holders(Action.HANDLE_CONCERNS).values_list("email", flat=True))


def email_about_concern(
    concern: Concern, *, subject: str, template: str, recipient_list: list[str]
) -> None:
    """Send `template` about `concern` with a link to its staff page, and nothing it says."""
    _email_with_link(
        template, {"concern": concern}, "feedback:concern", concern.pk, subject, recipient_list
    )


def email_about_recovery(
    task: RecoveryTask, *, subject: str, template: str, recipient_list: list[str]
) -> None:
    """Send `template` about the recovery `task` with a link to its page."""
    _email_with_link(
        template, {"task": task}, "feedback:recovery", task.pk, subject, recipient_list
    )


def _email_with_link(
    template: str,
    context: dict[str, object],
    page: str,
    pk: int,
    subject: str,
    recipient_list: list[str],
) -> None:
    """Render `template` with `context` and `url`, the absolute link to `page` for row `pk`."""
    send_mail(
        subject=subject,
        message=render_to_string(template, {**context, "url": absolute_url_for(page, pk=pk)}),
        from_email=None,
        recipient_list=recipient_list,
    )
