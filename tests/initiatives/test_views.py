from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from careloop.core.permissions import Role
from careloop.initiatives.models import Initiative
from careloop.people.models import User
from tests.actions.factories import ActionItemFactory
from tests.initiatives.rollups import csat_history
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def pdf_text(body: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(body))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_a_cx_leader_promotes_an_action_item_and_reads_its_effect(client: Client) -> None:
    teams, start = csat_history({"Frontline Europe": 12.0})
    leader = UserFactory(role=Role.CX_LEADER)
    owner = UserFactory(team=teams["Frontline Europe"])
    item = ActionItemFactory(
        title="Empathy training for Europe", owner=owner, kind="training",
        source_kind="learning_review", source_label="Refund form mix-up",
    )  # fmt: skip
    client.force_login(leader)
    assert (
        "Promote to an initiative"
        in client.get(reverse("actions:item", kwargs={"item_id": item.pk})).content.decode()
    )
    form = client.get(reverse("initiatives:new") + f"?action_item={item.pk}")
    assert "Refund form mix-up" in form.content.decode()
    response = client.post(
        reverse("initiatives:new"),
        {
            "name": "Empathy training for Europe", "kind": "training",
            "teams": [teams["Frontline Europe"].pk], "start": start.isoformat(),
            "cost_amount": "2000", "cost_hours": "40", "outcomes": ["csat", "retention"],
            "source_kind": "action_item", "source_id": item.pk,
            "source_label": "Action item: Empathy training for Europe",
        },
    )  # fmt: skip
    initiative = Initiative.objects.get()
    assert response.status_code == 302
    assert (initiative.source_kind, initiative.source_id) == ("action_item", item.pk)
    page = client.get(reverse("initiatives:initiative", kwargs={"pk": initiative.pk}))
    html = page.content.decode()
    assert "Effect on CSAT" in html and "Pre-trend check" in html and "<svg" in html
    assert "improved" in html
    # The content security policy refuses inline styles: charts colour by attributes.
    charts = [part.split("</svg>")[0] for part in html.split("<svg")[1:]]
    assert charts and not any("style=" in chart for chart in charts)
    # No customer activity in this history: retention is listed, with what it lacks.
    assert "Effect on Customer retention" in html
    assert "No effect on Customer retention can be shown yet" in html

    pdf = client.get(reverse("initiatives:pdf", kwargs={"pk": initiative.pk}))
    assert pdf["Content-Type"] == "application/pdf"
    pages, text = pdf_text(pdf.content)
    assert pages >= 1
    for heading in ("Empathy training for Europe", "Effect on CSAT", "Pre-trend check", "Money"):
        assert heading in text

    csv = client.get(reverse("initiatives:csv", kwargs={"pk": initiative.pk})).content.decode()
    assert csv.splitlines()[1].startswith("csat,")


def test_invalid_initiatives_are_answered_422_and_nothing_is_saved(
    client_as: Callable[[Role], Client],
) -> None:
    response = client_as(Role.CX_LEADER).post(
        reverse("initiatives:new"), {"name": "", "start": "2026-01-01"}
    )
    assert response.status_code == 422
    assert not Initiative.objects.exists()


def test_an_action_item_someone_may_not_see_cannot_be_promoted(client: Client) -> None:
    item = ActionItemFactory()
    people_partner = UserFactory(role=Role.PEOPLE_PARTNER)
    client.force_login(people_partner)
    response = client.get(reverse("initiatives:new") + f"?action_item={item.pk}")
    assert response.status_code == 404


def test_the_money_page_saves_settings_and_the_quarterly_summary_renders(
    client: Client, person_with_role: Callable[[Role], User]
) -> None:
    client.force_login(person_with_role(Role.ADMIN))
    response = client.post(
        reverse("initiatives:money"),
        {
            "customer_annual_value": "420", "replacement_cost": "20000",
            "agent_hour_cost": "40", "minutes_per_contact": "10",
        },
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(reverse("initiatives:money")).content.decode()
    assert "Cost of inaction" in page and "Innovation output" in page
    pages, text = pdf_text(client.get(reverse("initiatives:quarterly-pdf")).content)
    assert "Quarterly summary" in text and "Cost of inaction" in text and pages >= 1


def test_a_team_lead_sees_no_initiatives(client_as: Callable[[Role], Client]) -> None:
    assert client_as(Role.TEAM_LEAD).get(reverse("initiatives:list")).status_code == 403


def test_a_published_learning_review_is_promoted_to_an_initiative(client: Client) -> None:
    from tests.learning.factories import LearningReviewFactory

    team = TeamFactory(name="Orders & Billing")
    leader = UserFactory(role=Role.CX_LEADER)
    review = LearningReviewFactory(
        title="Refund sent twice", facilitator=leader, team=team, status="published",
        visibility="organisation",
    )  # fmt: skip
    client.force_login(leader)
    page = client.get(reverse("learning:review", kwargs={"pk": review.pk})).content.decode()
    assert "Promote this review to an initiative" in page
    form = client.get(reverse("initiatives:new") + f"?learning_review={review.pk}")
    assert "Learning review: Refund sent twice" in form.content.decode()
    response = client.post(
        reverse("initiatives:new"),
        {
            "name": "Refund form fix", "kind": "process", "teams": [team.pk],
            "start": "2026-06-01", "cost_amount": "0", "cost_hours": "12",
            "outcomes": ["recontact_rate"], "source_kind": "learning_review",
            "source_id": review.pk, "source_label": "Learning review: Refund sent twice",
        },
    )  # fmt: skip
    assert response.status_code == 302
    initiative = Initiative.objects.get()
    assert (initiative.source_kind, initiative.source_id) == ("learning_review", review.pk)


def test_a_draft_review_cannot_be_promoted(client: Client) -> None:
    from tests.learning.factories import LearningReviewFactory

    client.force_login(UserFactory(role=Role.CX_LEADER))
    draft = LearningReviewFactory()
    response = client.get(reverse("initiatives:new") + f"?learning_review={draft.pk}")
    assert response.status_code == 404
