from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from careloop.actions.models import ActionItem
from careloop.core.models import AuditEvent
from careloop.core.permissions import Role
from careloop.feedback.models import CauseTag, EmailRule, RecoveryTask, SurveyQuestion, Theme
from careloop.feedback.services import milestones, recovery, surveys, theming
from careloop.feedback.services.surveys import survey_settings
from tests.feedback.factories import answered, sent_invitation, solved_conversation
from tests.feedback.test_themes import DELIVERY, comment
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def detractor_task(agent_team: object = None) -> RecoveryTask:
    agent = UserFactory(role=Role.AGENT, **({"team": agent_team} if agent_team else {}))
    answered(solved_conversation(agent=agent), csat=1, comment="Nobody listened.")
    return RecoveryTask.objects.get(owner=agent)


def test_the_owner_logs_a_contact_and_closes_the_task_in_the_page(client: Client) -> None:
    task = detractor_task()
    client.force_login(task.owner)
    url = reverse("feedback:recovery", kwargs={"pk": task.pk})
    page = client.get(url)
    assert "Nobody listened." in page.content.decode()
    client.post(url, {"contact-channel": "phone", "contact-reached": "on", "contact-note": "Spoke"})
    refused = client.post(url, {"close-outcome": "recovered"})
    assert "Tag at least one cause" in refused.content.decode()
    client.post(url, {"close-outcome": "recovered", "close-causes": "Slow answer, Tone"})
    task.refresh_from_db()
    assert task.status == "closed" and task.outcome == "recovered"
    assert task.causes.count() == 2
    listed = client.get(reverse("feedback:recovery-list"), {"status": "closed"})
    assert task.customer.full_name in listed.content.decode()


def test_another_agent_gets_404_for_a_task_that_is_not_theirs(client: Client) -> None:
    task = detractor_task()
    client.force_login(UserFactory(role=Role.AGENT))
    assert client.get(reverse("feedback:recovery", kwargs={"pk": task.pk})).status_code == 404


def test_a_team_lead_sees_the_team_scope(client: Client) -> None:
    team = TeamFactory()
    task = detractor_task(team)
    client.force_login(UserFactory(role=Role.TEAM_LEAD, team=team))
    page = client.get(reverse("feedback:recovery-list"), {"scope": "team"})
    assert task.customer.full_name in page.content.decode()
    assert client.get(reverse("feedback:recovery", kwargs={"pk": task.pk})).status_code == 200


def test_a_lead_turns_a_cause_into_an_action_item(client: Client) -> None:
    task = detractor_task()
    recovery.close_task(task, by=task.owner, outcome="not_recovered", causes=["Stock errors"])
    lead = UserFactory(role=Role.TEAM_LEAD)
    client.force_login(lead)
    backlog = client.get(reverse("feedback:causes"))
    assert "Stock errors" in backlog.content.decode()
    cause = CauseTag.objects.get()
    response = client.post(
        reverse("feedback:cause-promote", kwargs={"pk": cause.pk}), {"owner": lead.pk}
    )
    item = ActionItem.objects.get()
    assert response["Location"] == reverse("actions:item", kwargs={"item_id": item.pk})
    assert item.source_kind == "recovery"


def test_agents_may_not_promote_causes_rename_themes_or_edit_rules(client: Client) -> None:
    client.force_login(UserFactory(role=Role.AGENT))
    cause = CauseTag.objects.create(name="X")
    assert (
        client.post(reverse("feedback:cause-promote", kwargs={"pk": cause.pk}), {}).status_code
        == 403
    )
    assert client.get(reverse("feedback:settings")).status_code == 403
    assert client.get(reverse("feedback:email-rules")).status_code == 403


def test_leads_edit_survey_rules_questions_and_templates(client: Client) -> None:
    lead = UserFactory(role=Role.TEAM_LEAD)
    client.force_login(lead)
    form = {
        f"rules-{name}": value
        for name, value in {
            "post_resolution_enabled": "on",
            "delay_hours": "6",
            "ask_csat": "on",
            "relationship_enabled": "on",
            "relationship_every_days": "90",
            "quiet_period_days": "14",
            "reminder_after_days": "2",
            "link_valid_days": "10",
        }.items()
    }
    client.post(reverse("feedback:settings"), form)
    rules = survey_settings()
    assert (rules.delay_hours, rules.quiet_period_days, rules.ask_ces) == (6, 14, False)
    client.post(
        reverse("feedback:settings"),
        {
            "question-text": "What could we do better?",
            "question-kind": "post_resolution",
            "question-position": "1",
        },
    )
    assert SurveyQuestion.objects.get().text == "What could we do better?"

    client.get(reverse("feedback:email-rules"))
    rule = EmailRule.objects.get(trigger="first_solved")
    page = client.get(reverse("feedback:email-rule", kwargs={"pk": rule.pk}))
    assert "Alex" in page.content.decode()
    client.post(
        reverse("feedback:email-rule", kwargs={"pk": rule.pk}),
        {"enabled": "on", "subject": "Hi {customer_first_name}", "body": "Welcome!"},
    )
    rule.refresh_from_db()
    assert (rule.subject, rule.updated_by) == ("Hi {customer_first_name}", lead)
    assert AuditEvent.objects.filter(action="feedback.template_changed").exists()


def test_follow_up_questions_are_asked_and_stored(client: Client) -> None:
    SurveyQuestion.objects.create(text="What could we do better?", kind="post_resolution")
    invitation = sent_invitation(solved_conversation())
    stored = surveys.submit_answers(
        invitation, csat=4, ces=6, answers={"What could we do better?": "Faster refunds"}
    )
    assert stored.answers == [{"question": "What could we do better?", "answer": "Faster refunds"}]


def test_a_lead_renames_a_theme_in_the_page(client: Client) -> None:
    for text in DELIVERY:
        comment(text)
    theming.refresh_themes()
    theme = Theme.objects.get()
    client.force_login(UserFactory(role=Role.CX_LEADER))
    client.post(reverse("feedback:theme-rename", kwargs={"pk": theme.pk}), {"label": "Parcels"})
    page = client.get(reverse("feedback:themes"))
    assert "Parcels" in page.content.decode()
    assert "Emotion mix" in page.content.decode()


def test_milestone_rules_are_seeded_once() -> None:
    milestones.seed_default_rules()
    milestones.seed_default_rules()
    assert EmailRule.objects.count() == 3


def test_a_lead_refreshes_themes_from_the_page(client: Client) -> None:
    for text in DELIVERY:
        comment(text)
    client.force_login(UserFactory(role=Role.TEAM_LEAD))
    response = client.post(reverse("feedback:theme-refresh"), follow=True)
    assert "1 new theme(s)" in response.content.decode()
    assert Theme.objects.count() == 1


def test_the_customer_page_shows_their_answers_and_open_recovery(client: Client) -> None:
    task = detractor_task()
    client.force_login(task.owner)
    page = client.get(reverse("conversations:customer", kwargs={"pk": task.customer.pk}))
    html = page.content.decode()
    assert "Voice of the customer" in html
    assert "CSAT 1/5" in html and "Nobody listened." in html
    assert reverse("feedback:recovery", kwargs={"pk": task.pk}) in html


def test_survey_rules_refuse_a_link_that_would_never_work(client: Client) -> None:
    client.force_login(UserFactory(role=Role.CX_LEADER))
    response = client.post(
        reverse("feedback:settings"),
        {
            "rules-delay_hours": "24",
            "rules-relationship_every_days": "180",
            "rules-quiet_period_days": "30",
            "rules-reminder_after_days": "3",
            "rules-link_valid_days": "0",
        },
    )
    assert response.status_code == 200
    assert "greater than or equal to 1" in response.content.decode()
    assert survey_settings().link_valid_days == 14
