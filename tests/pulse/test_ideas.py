from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from careloop.actions.models import ActionItem
from careloop.core.permissions import Role
from careloop.pulse.models import Idea, IdeaStatus
from careloop.pulse.selectors.ideas import overdue_ideas
from careloop.pulse.services import ideas as services
from careloop.pulse.tasks import escalate_overdue_ideas
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2026, 11, 2)


def test_every_idea_is_due_an_answer_in_ten_working_days() -> None:
    idea, code = services.submit_idea(
        title="Quiet hour", body="One hour a day without chat.", author=UserFactory(), today=MONDAY
    )
    assert code is None
    assert idea.respond_by == datetime.date(2026, 11, 16)
    assert idea.status == IdeaStatus.AWAITING


def test_an_anonymous_idea_stores_no_author_and_opens_with_its_code_only() -> None:
    author = UserFactory()
    idea, code = services.submit_idea(
        title="Rota swap", body="Let us swap shifts in the app.", author=author, anonymous=True
    )
    assert code
    stored = Idea.objects.get(pk=idea.pk)
    assert stored.author is None and stored.is_anonymous
    assert code not in (stored.follow_up_code_hash or "")
    assert services.idea_for_code(code) == stored
    assert services.idea_for_code("not-the-code") is None
    assert services.idea_for_code("") is None


def test_an_answer_needs_a_reason_and_comes_from_someone_allowed_to_answer() -> None:
    idea, _ = services.submit_idea(title="Idea", body="Body", author=UserFactory())
    lead = UserFactory(role=Role.TEAM_LEAD)
    with pytest.raises(PermissionDenied):
        services.respond_to_idea(idea, by=UserFactory(), status=IdeaStatus.ADOPTED, response="Yes")
    with pytest.raises(ValidationError):
        services.respond_to_idea(idea, by=lead, status=IdeaStatus.NOT_NOW, response="  ")
    with pytest.raises(ValidationError):
        services.respond_to_idea(idea, by=lead, status=IdeaStatus.AWAITING, response="Hmm")


def test_a_named_submitter_is_told_and_an_adopted_idea_can_join_the_ledger(
    django_capture_on_commit_callbacks: object,
) -> None:
    author = UserFactory()
    idea, _ = services.submit_idea(
        title="Spare chargers", body="Keep some at desks.", author=author
    )
    lead = UserFactory(role=Role.TEAM_LEAD)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.respond_to_idea(
            idea, by=lead, status=IdeaStatus.ADOPTED, response="Ordered ten.", add_action=True
        )
    idea.refresh_from_db()
    assert idea.responded_by == lead and idea.responded_on is not None
    item = ActionItem.objects.get()
    assert (item.source_kind, idea.action_item) == ("idea", item)
    assert mail.outbox[0].to == [author.email]
    assert "Ordered ten." in mail.outbox[0].body


def test_overdue_ideas_escalate_once_to_the_team_leads_and_people_partners() -> None:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    partner = UserFactory(role=Role.PEOPLE_PARTNER, team=None)
    UserFactory(role=Role.TEAM_LEAD)  # another team's lead is not told
    idea, _ = services.submit_idea(
        title="Late",
        body="No one answered.",
        author=UserFactory(),
        team=team,
        anonymous=True,
        today=datetime.date.today() - datetime.timedelta(days=30),
    )
    assert list(overdue_ideas()) == [idea]
    assert escalate_overdue_ideas.call() == 1
    assert escalate_overdue_ideas.call() == 0
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([lead.email, partner.email])
    idea.refresh_from_db()
    assert idea.escalated_on == datetime.date.today()


def test_the_anonymous_submitter_reads_the_answer_through_the_code(client: Client) -> None:
    submitter = UserFactory()
    client.force_login(submitter)
    sent = client.post(
        reverse("pulse:idea-create"),
        {"title": "Break room plants", "body": "Some green would help.", "anonymous": "on"},
    )
    code = sent.context["code"]
    assert sent["Cache-Control"] == "no-store"
    idea = Idea.objects.get()
    assert idea.author is None
    services.respond_to_idea(
        idea,
        by=UserFactory(role=Role.PEOPLE_PARTNER),
        status=IdeaStatus.TRYING,
        response="Trying three plants for a month.",
    )
    page = client.post(reverse("pulse:idea-follow-up"), {"code": code})
    assert b"Trying three plants for a month." in page.content
    wrong = client.post(reverse("pulse:idea-follow-up"), {"code": "nope"})
    assert wrong.status_code == 404


def test_everyone_sees_every_idea_with_overdue_ones_marked(client: Client) -> None:
    services.submit_idea(
        title="Old one",
        body="Still waiting.",
        author=UserFactory(),
        anonymous=True,
        today=datetime.date.today() - datetime.timedelta(days=40),
    )
    client.force_login(UserFactory())
    page = client.get(reverse("pulse:ideas"))
    assert b"Old one" in page.content and b"overdue" in page.content
    assert b"Anonymous" in page.content
