"""Survey links: no login, but they cannot be reused, guessed, forged or used after expiry."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careloop.feedback.models import SurveyLink, SurveyResponse
from careloop.feedback.services import surveys
from careloop.feedback.tokens import SURVEY_SALT, hash_token
from tests.feedback.factories import sent_invitation, solved_conversation

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://\S+(/survey/(\S+)/)")


def link_path() -> tuple[str, str]:
    found = LINK.search(mail.outbox[-1].body)
    assert found is not None
    return found.group(1), found.group(2)


def test_the_link_opens_the_survey_without_signing_in_and_takes_one_answer(
    client: Client,
) -> None:
    sent_invitation(solved_conversation())
    path, _ = link_path()
    page = client.get(path)
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("no-store") or "no-store" in page["Cache-Control"]
    assert b"How did we do?" in page.content

    answer = client.post(path, {"csat": "4", "ces": "6", "comment": "Quick and kind."})
    assert answer.status_code == 200
    assert b"Thank you" in answer.content
    response = SurveyResponse.objects.get()
    assert (response.csat, response.ces, response.comment) == (4, 6, "Quick and kind.")


def test_a_used_link_cannot_be_used_again(client: Client) -> None:
    sent_invitation(solved_conversation())
    path, _ = link_path()
    client.post(path, {"csat": "5", "ces": "7"})
    again = client.post(path, {"csat": "1", "ces": "1"})
    assert again.status_code == 410
    assert b"already been answered" in again.content
    assert client.get(path).status_code == 410
    assert SurveyResponse.objects.get().csat == 5


def test_answering_twice_at_the_service_level_is_refused() -> None:
    invitation = sent_invitation(solved_conversation())
    surveys.submit_answers(invitation, csat=5, ces=7)
    with pytest.raises(surveys.SurveyUnavailable):
        surveys.submit_answers(invitation, csat=1, ces=1)


def test_only_a_hash_of_the_token_is_stored() -> None:
    sent_invitation(solved_conversation())
    _, token = link_path()
    secret = signing.TimestampSigner(salt=SURVEY_SALT).unsign(token)
    stored = SurveyLink.objects.get().token_hash
    assert stored == hash_token(secret)
    assert secret not in stored and token not in stored


def test_guessed_and_forged_tokens_are_refused(client: Client) -> None:
    sent_invitation(solved_conversation())
    _, token = link_path()
    guessed_secret = secrets.token_urlsafe(32)
    validly_signed_guess = signing.TimestampSigner(salt=SURVEY_SALT).sign(guessed_secret)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for attempt in (validly_signed_guess, tampered, "not-a-token", secrets.token_urlsafe(40)):
        response = client.get(reverse("feedback:answer", kwargs={"token": attempt}))
        assert response.status_code == 404, attempt
    assert not SurveyResponse.objects.exists()


def test_a_link_past_its_expiry_date_is_refused(client: Client) -> None:
    invitation = sent_invitation(solved_conversation())
    path, token = link_path()
    assert invitation.expires_at is not None
    later = invitation.expires_at + timedelta(minutes=1)
    with pytest.raises(surveys.SurveyUnavailable) as refused:
        surveys.invitation_for_link(token, now=later)
    assert refused.value.status == 410

    type(invitation).objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(path)
    assert response.status_code == 410
    assert b"expired" in response.content


def test_a_link_whose_signature_is_too_old_is_refused(client: Client) -> None:
    sent_invitation(solved_conversation())
    path, _ = link_path()
    rules = surveys.survey_settings()
    rules.link_valid_days = 0  # every signature is now older than the validity
    rules.save()
    response = client.get(path)
    assert response.status_code == 410
    assert b"expired" in response.content


def test_scores_out_of_range_are_refused_with_a_clear_error(client: Client) -> None:
    sent_invitation(solved_conversation())
    path, _ = link_path()
    response = client.post(path, {"csat": "9", "ces": "0"})
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert not SurveyResponse.objects.exists()
