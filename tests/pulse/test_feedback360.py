from __future__ import annotations

from dataclasses import asdict, replace

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.test import Client
from django.urls import reverse

from careloop.core.permissions import Role
from careloop.pulse.models import FeedbackAnswer, Relationship
from careloop.pulse.selectors.feedback360 import feedback_report, may_read
from careloop.pulse.services import feedback360 as services
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

MOMENT = services.FeedbackAnswerDraft(
    strength_situation="The refund queue spiked on Monday.",
    strength_behaviour="You split the queue and paired with new starters.",
    strength_impact="We cleared it by noon and the new starters learned fast.",
)


@pytest.fixture
def people() -> dict[str, object]:
    team = TeamFactory()
    return {
        "subject": UserFactory(team=team),
        "lead": UserFactory(team=team, role=Role.TEAM_LEAD),
        "peers": [UserFactory(team=team) for _ in range(4)],
    }


def test_relationships_are_worked_out_from_roles_and_teams(people: dict) -> None:
    subject, lead = people["subject"], people["lead"]
    assert services.relationship_between(subject, lead) == Relationship.LEAD
    assert services.relationship_between(lead, subject) == Relationship.REPORT
    assert services.relationship_between(subject, people["peers"][0]) == Relationship.PEER
    assert services.relationship_between(subject, UserFactory()) == Relationship.PEER


def test_peer_answers_show_only_from_three_and_the_lead_from_one(
    people: dict, django_capture_on_commit_callbacks: object
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        request = services.request_feedback(
            people["subject"], [people["lead"], *people["peers"]], focus="Leading the queue"
        )
    assert len(mail.outbox) == 5
    services.answer_feedback(request, people["lead"], MOMENT)
    for peer in people["peers"][:2]:
        services.answer_feedback(request, peer, MOMENT)
    groups = {group.relationship: group for group in feedback_report(request)}
    assert groups["lead"].shown and len(groups["lead"].strengths) == 1
    assert not groups["peer"].shown and groups["peer"].strengths == []
    services.answer_feedback(
        request,
        people["peers"][2],
        replace(
            MOMENT,
            growth_situation="Handovers at shift end.",
            growth_behaviour="Notes were short.",
            growth_impact="The next shift re-asked customers.",
        ),
    )
    groups = {group.relationship: group for group in feedback_report(request)}
    # Three of four peers: held back until the fourth answers or the request is over, so the
    # last answer to arrive cannot be matched to the last person to answer.
    assert not groups["peer"].shown and groups["peer"].answered == 3
    services.close_request(request, by=people["subject"])
    groups = {group.relationship: group for group in feedback_report(request)}
    assert groups["peer"].shown and len(groups["peer"].strengths) == 3
    assert len(groups["peer"].growth) == 1


def test_peer_answers_show_at_once_when_everyone_asked_has_answered(people: dict) -> None:
    import datetime

    request = services.request_feedback(people["subject"], people["peers"][:3])
    for peer in people["peers"][:3]:
        services.answer_feedback(request, peer, MOMENT)
    assert feedback_report(request)[0].shown
    later = services.request_feedback(people["subject"], people["peers"])
    for peer in people["peers"][:3]:
        services.answer_feedback(later, peer, MOMENT)
    assert not feedback_report(later)[0].shown
    after_due = later.due_on + datetime.timedelta(days=1)
    assert feedback_report(later, today=after_due)[0].shown


def test_an_answer_keeps_no_link_to_who_wrote_it(people: dict) -> None:
    links = {f.name for f in FeedbackAnswer._meta.get_fields() if isinstance(f, models.ForeignKey)}
    assert links == {"request"}
    request = services.request_feedback(people["subject"], people["peers"][:1])
    services.answer_feedback(request, people["peers"][0], MOMENT)
    with pytest.raises(services.AlreadyAnswered):
        services.answer_feedback(request, people["peers"][0], MOMENT)
    with pytest.raises(PermissionDenied):
        services.answer_feedback(request, people["lead"], MOMENT)


def test_answers_need_situation_behaviour_and_impact(people: dict) -> None:
    request = services.request_feedback(people["subject"], people["peers"][:1])
    with pytest.raises(ValidationError):
        services.answer_feedback(
            request,
            people["peers"][0],
            replace(MOMENT, strength_impact=""),
        )
    with pytest.raises(ValidationError):
        services.answer_feedback(
            request,
            people["peers"][0],
            replace(MOMENT, growth_situation="Only"),
        )


def test_feedback_is_private_to_the_person_and_whom_they_share_it_with(
    people: dict, client: Client
) -> None:
    request = services.request_feedback(people["subject"], people["peers"])
    admin = UserFactory(role=Role.ADMIN)
    assert may_read(people["subject"], request)
    assert not may_read(people["lead"], request) and not may_read(admin, request)
    client.force_login(admin)
    assert client.get(reverse("pulse:feedback", args=[request.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.share_feedback(request, by=people["lead"], person=people["lead"])
    services.share_feedback(request, by=people["subject"], person=people["lead"])
    assert may_read(people["lead"], request)
    client.force_login(people["lead"])
    assert client.get(reverse("pulse:feedback", args=[request.pk])).status_code == 200


def test_you_cannot_ask_only_yourself(people: dict) -> None:
    with pytest.raises(ValidationError):
        services.request_feedback(people["subject"], [people["subject"]])


def test_blame_language_in_a_growth_area_is_flagged_before_it_is_sent(
    people: dict, client: Client
) -> None:
    request = services.request_feedback(people["subject"], people["peers"][:1])
    client.force_login(people["peers"][0])
    url = reverse("pulse:feedback-answer", args=[request.pk])
    data = {
        **asdict(MOMENT),
        "growth_situation": "The Friday handover.",
        "growth_behaviour": "You should have checked the notes; it was careless.",
        "growth_impact": "A customer waited a day.",
    }
    first = client.post(url, data)
    assert b"growth-flags" in first.content and b"careless" in first.content
    assert not FeedbackAnswer.objects.exists()
    client.post(url, {**data, "send_as_written": "1"})
    assert FeedbackAnswer.objects.get().growth_behaviour.startswith("You should have")


def test_the_wait_for_answers_is_worded_for_one_and_for_several(
    people: dict, client: Client
) -> None:
    request = services.request_feedback(
        people["subject"], [people["lead"], *people["peers"]], focus="Leading the queue"
    )
    client.force_login(people["subject"])

    page = client.get(reverse("pulse:feedback", args=[request.pk])).content.decode()

    assert "Shown once at least 1 person has answered." in page
    assert "Shown once at least 3 people have answered, so no answer is one person's." in page
    assert "1 have answered" not in page
