"""The emails about a concern or a recovery task: who handles concerns, and the one link
each email carries (the row's staff page), so the task and the escalation write them alike."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse

from careloop.core.email_headers import send_mail
from careloop.core.links import absolute_url
from careloop.core.permissions import Action, holders
from careloop.feedback.models import Concern, RecoveryTask


def concern_handler_emails() -> list[str]:
    """The addresses of everyone active who may handle confidential concerns."""
    return list(holders(Action.HANDLE_CONCERNS).values_list("email", flat=True))


def email_about_concern(
    concern: Concern, *, subject: str, template: str, recipient_list: list[str]
) -> None:
    """Send `template` about `concern` with a link to its staff page, and nothing it says."""
    send_mail(
        subject=subject,
        message=render_to_string(
            template,
            {
                "concern": concern,
                "url": absolute_url(reverse("feedback:concern", kwargs={"pk": concern.pk})),
            },
        ),
        from_email=None,
        recipient_list=recipient_list,
    )


def email_about_recovery(
    task: RecoveryTask, *, subject: str, template: str, recipient_list: list[str]
) -> None:
    """Send `template` about the recovery `task` with a link to its page."""
    send_mail(
        subject=subject,
        message=render_to_string(
            template,
            {
                "task": task,
                "url": absolute_url(reverse("feedback:recovery", kwargs={"pk": task.pk})),
            },
        ),
        from_email=None,
        recipient_list=recipient_list,
    )
