"""The idea box through the API: every idea with its answer, named ideas, answers by leaders."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from careloop.api.scopes import Scope
from careloop.core.permissions import Role
from careloop.people.models import User
from careloop.pulse.models import Idea, IdeaStatus
from careloop.pulse.services.ideas import respond_to_idea, submit_idea
from tests.fixtures.api import ClientMaker
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author() -> User:
    return UserFactory(full_name="Nadia Named")


def send(client: Any, body: dict[str, Any], key: str) -> Any:
    return client.post(reverse("api:ideas"), body, format="json", headers={"Idempotency-Key": key})


def test_every_idea_is_listed_with_its_answer_and_anonymous_ones_name_no_one(
    author: User, api_as: ClientMaker
) -> None:
    named, _ = submit_idea(title="Quiet hours", body="No meetings before ten.", author=author)
    secret_author = UserFactory(full_name="Sam Secret")
    anonymous, _ = submit_idea(
        title="Fewer macros", body="They sound cold.", author=secret_author, anonymous=True
    )
    respond_to_idea(
        named,
        by=UserFactory(role=Role.TEAM_LEAD),
        status=IdeaStatus.ADOPTED,
        response="From Monday.",
        notify=False,
    )

    response = api_as(Role.AGENT).get(reverse("api:ideas"))

    assert response.status_code == 200
    ideas = {row["title"]: row for row in response.json()["results"]}
    assert ideas["Quiet hours"]["author"] == "Nadia Named"
    assert (ideas["Quiet hours"]["status"], ideas["Quiet hours"]["response"]) == (
        "adopted",
        "From Monday.",
    )
    assert ideas["Fewer macros"]["author"] is None and ideas["Fewer macros"]["anonymous"]
    detail = api_as(Role.CX_LEADER).get(reverse("api:idea", kwargs={"idea_id": anonymous.pk}))
    assert "Sam Secret" not in detail.content.decode()
    assert secret_author.email not in detail.content.decode()


def test_ideas_filter_by_status(author: User, api_as: ClientMaker) -> None:
    submit_idea(title="Waiting", body="An idea.", author=author)

    answered = api_as(Role.AGENT).get(reverse("api:ideas"), {"status": "adopted"})
    waiting = api_as(Role.AGENT).get(reverse("api:ideas"), {"status": "awaiting"})

    assert answered.json()["results"] == []
    assert [row["title"] for row in waiting.json()["results"]] == ["Waiting"]


def test_an_idea_sent_through_the_api_is_named_by_the_keys_owner(
    author: User, api_as: ClientMaker
) -> None:
    team = TeamFactory(name="Returns")
    client = api_as(owner=author)

    response = send(
        client, {"title": "Label printer", "body": "Print at the desk.", "team": team.pk}, "i1"
    )
    unknown_team = send(client, {"title": "T", "body": "B", "team": 10**12}, "i2")
    anonymous_asked = send(client, {"title": "A", "body": "B", "anonymous": True}, "i3")

    assert response.status_code == 201, response.content
    assert (response.json()["author"], response.json()["team"]) == ("Nadia Named", "Returns")
    assert Idea.objects.get(title="Label printer").author == author
    assert unknown_team.status_code == 404
    # No anonymous ideas by API: an API write is kept with its key, so with its sender. Asked
    # for one, the API says so rather than sending it named.
    assert anonymous_asked.status_code == 400
    assert "idea page" in anonymous_asked.json()["anonymous"][0]
    assert not Idea.objects.filter(title="A").exists()


def test_only_those_who_answer_ideas_answer_them_and_the_answer_sticks(
    author: User, api_as: ClientMaker
) -> None:
    idea, _ = submit_idea(title="Quiet hours", body="No meetings before ten.", author=author)
    url = reverse("api:idea-answer", kwargs={"idea_id": idea.pk})
    body = {"status": "trying", "response": "We try it for a month.", "add_action": True}

    by_agent = api_as(Role.AGENT).post(url, body, format="json", headers={"Idempotency-Key": "a"})
    by_lead = api_as(Role.TEAM_LEAD).post(
        url, body, format="json", headers={"Idempotency-Key": "b"}
    )
    not_an_answer = api_as(Role.TEAM_LEAD).post(
        url,
        {"status": "awaiting", "response": "x"},
        format="json",
        headers={"Idempotency-Key": "c"},
    )

    assert by_agent.status_code == 403
    assert by_lead.status_code == 200, by_lead.content
    assert by_lead.json()["status"] == "trying"
    idea.refresh_from_db()
    assert (idea.status, idea.response) == (IdeaStatus.TRYING, "We try it for a month.")
    assert idea.action_item is not None
    assert not_an_answer.status_code == 400


def test_ideas_need_their_scopes(author: User, api_as: ClientMaker) -> None:
    reader = api_as(Role.ADMIN, scopes=[Scope.IDEAS_READ])
    nothing = api_as(Role.ADMIN, scopes=[Scope.LEARNING_READ])

    assert reader.get(reverse("api:ideas")).status_code == 200
    assert send(reader, {"title": "T", "body": "B"}, "s1").status_code == 403
    assert nothing.get(reverse("api:ideas")).status_code == 403
    assert not Idea.objects.exists()


def test_an_unknown_idea_is_not_found(api_as: ClientMaker) -> None:
    url = reverse("api:idea", kwargs={"idea_id": "8d0b7f5e-0000-4000-8000-000000000000"})

    assert api_as(Role.AGENT).get(url).status_code == 404
