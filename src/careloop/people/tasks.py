"""Background work for people: runs inline or on a Celery worker, through django.tasks."""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from careloop.core.email_headers import send_mail
from careloop.core.links import absolute_url
from careloop.people.models import User


@task()
def send_invitation(user_id: int) -> bool:
    """Email a new employee a link to choose their password. Safe to run twice: sends once."""
    updated = User.objects.filter(pk=user_id, invitation_sent_at__isnull=True).update(
        invitation_sent_at=timezone.now()
    )
    if not updated:
        return False
    person = User.objects.get(pk=user_id)
    from careloop.people.selectors import current_organisation

    # The same link allauth's "forgot password" sends, so one page serves both.
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(person),
            "key": default_token_generator.make_token(person),
        },
    )
    context = {
        "person": person,
        "organisation": current_organisation(),
        "set_password_url": absolute_url(path),
    }
    send_mail(
        subject=f"You're invited to careloop at {context['organisation']}",
        message=render_to_string("people/invitation_email.txt", context),
        from_email=None,
        recipient_list=[person.email],
    )
    return True
