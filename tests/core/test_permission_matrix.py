"""The permission matrix: every role against every action, and every view against every role.

The expected table below is written out by hand on purpose: it is the specification that
`careloop.core.permissions.RULES` must match, and a reviewer reads access rules here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pytest_django import DjangoDbBlocker

from careloop.conversations.models import Attachment, Message, SavedReply
from careloop.core.permissions import Action, Reach, Role, can, reach
from careloop.people.models import User
from tests.actions.factories import ActionItemFactory, FeedbackSessionFactory
from tests.conversations.factories import CustomerFactory
from tests.fixtures.database import built_once
from tests.people.factories import TeamFactory

COLUMNS = (
    Role.CUSTOMER,
    Role.AGENT,
    Role.TEAM_LEAD,
    Role.CX_LEADER,
    Role.PEOPLE_PARTNER,
    Role.ADMIN,
)

MATRIX = """
action                customer agent lead cx  people admin
view_dashboard           -       A    A   A     A     A
use_inbox                -       A    A   A     -     A
manage_inbox             -       -    A   A     -     A
view_customers           -       A    A   A     -     A
view_feedback            -       A    A   A     -     A
grant_gestures           -       A    A   A     -     A
use_learning             -       A    A   A     A     A
facilitate_learning      -       -    A   A     A     A
use_actions              -       A    A   A     A     A
use_pulse                -       A    A   A     A     A
use_recognition          -       A    A   A     A     A
use_playbook             -       A    A   A     A     A
use_coaching             -       A    A   A     A     A
view_insights            -       -    A   A     A     A
view_people              -       A    A   A     A     A
manage_people            -       -    -   -     A     A
manage_teams             -       -    -   -     A     A
manage_organisation      -       -    -   -     -     A
use_admin_site           -       -    -   -     -     A
view_audit_log           -       -    -   -     -     A
manage_customer_privacy  -       -    -   A     -     A
export_organisation      -       -    -   -     -     A
manage_integrations      -       -    -   -     -     A
approve_gestures         -       -    T   A     -     A
manage_allowances        -       -    T   A     -     A
execute_gestures         -       -    -   A     -     A
manage_coaching          -       -    A   A     -     A
review_quality           -       -    A   A     -     A
manage_feedback          -       -    A   A     -     A
handle_concerns          -       -    -   A     -     A
manage_playbook          -       -    A   A     -     A
run_pulse_surveys        -       -    -   A     A     A
view_pulse_results       -       -    A   A     A     A
answer_ideas             -       -    A   A     A     A
manage_roster            -       -    -   -     A     A
manage_journey           -       -    A   A     -     A
receive_assignments      -       A    A   -     -     -
read_internal_notes      -       T    A   A     -     A
see_gestures             -       O    T   A     -     A
work_recovery            -       O    T   A     -     A
see_action_items         -       O    T   A     O     A
see_reply_scores         -       O    T   -     -     -
see_qa_reviews           -       O    T   A     -     A
view_culture             -       -    T   A     A     A
see_unshared_stories     -       O    O   O     O     O
read_learning_reviews    -       T    T   A     A     A
facilitate_review        -       O    A   A     A     A
hear_overdue_ideas       -       -    T   -     A     -
coach_people             -       -    T   A     -     A
view_initiatives         -       -    -   A     A     A
manage_initiatives       -       -    -   A     A     A
review_score_disputes    -       -    T   -     -     -
"""


# How far each role reaches: - none, O its own rows, T its team's, A the whole organisation.
REACH_MARKS = {"-": Reach.NONE, "O": Reach.OWN, "T": Reach.TEAM, "A": Reach.ORGANISATION}


def expected_matrix() -> dict[tuple[Action, Role], Reach]:
    rows = [line.split() for line in MATRIX.strip().splitlines()[1:]]
    return {
        (Action(row[0]), role): REACH_MARKS[mark]
        for row in rows
        for role, mark in zip(COLUMNS, row[1:], strict=True)
    }


EXPECTED = expected_matrix()


@dataclass(frozen=True)
class Principal:
    role: Role
    is_authenticated: bool = True
    is_active: bool = True


def test_matrix_names_every_action_exactly_once() -> None:
    assert {action for action, _ in EXPECTED} == set(Action)


@pytest.mark.parametrize(("action", "role"), sorted(EXPECTED))
def test_role_reaches_as_far_as_the_matrix_says(action: Action, role: Role) -> None:
    assert reach(Principal(role), action) is EXPECTED[(action, role)]
    assert can(Principal(role), action) is (EXPECTED[(action, role)] is not Reach.NONE)


def test_signed_out_and_deactivated_people_may_do_nothing() -> None:
    for action in Action:
        assert not can(Principal(Role.ADMIN, is_authenticated=False), action)
        assert not can(Principal(Role.ADMIN, is_active=False), action)


# --- every view ---------------------------------------------------------------------------

# Views that are open on purpose (sign-in pages, health check) are marked @public or belong to
# allauth, which guards its own pages.
THIRD_PARTY_PREFIXES = ("allauth.",)


@dataclass(frozen=True)
class ViewEntry:
    url_name: str
    callback: Callable[..., object]


def walk(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[ViewEntry]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, inner)
        elif pattern.name:
            yield ViewEntry(f"{namespace}{pattern.name}", pattern.callback)


def careloop_views() -> list[ViewEntry]:
    return [
        entry
        for entry in walk(get_resolver().url_patterns)
        if entry.callback.__module__.startswith("careloop.")
    ]


def test_every_careloop_view_declares_what_it_needs_or_is_public() -> None:
    undeclared = [
        entry.url_name
        for entry in careloop_views()
        if not hasattr(entry.callback, "required_action")
        and not getattr(entry.callback, "is_public", False)
    ]
    assert undeclared == []


def test_there_are_views_to_check() -> None:
    guarded = [e for e in careloop_views() if hasattr(e.callback, "required_action")]
    assert len(guarded) >= 15


def sample_conversation_kwargs() -> dict[str, int]:
    from careloop.conversations.models import Channel
    from careloop.conversations.services.conversations import receive_customer_message

    message = receive_customer_message(CustomerFactory(), channel=Channel.EMAIL, body_text="Hi")
    return {"pk": message.conversation_id}


# Views whose URLs need objects: each entry makes them and returns the URL's kwargs.
def sample_learning_review_kwargs() -> dict[str, int]:
    from tests.learning.factories import LearningReviewFactory

    review = LearningReviewFactory(status="published", visibility="organisation")
    return {"pk": review.pk}


def sample_anonymous_report_pk() -> object:
    from careloop.learning.services import file_anonymous_report

    return file_anonymous_report("mistake", "A sample concern.")[0].pk


URL_KWARGS: dict[str, Callable[[], dict[str, int]]] = {
    f"conversations:{name}": sample_conversation_kwargs
    for name in (
        "conversation",
        "reply",
        "settings",
        "merge",
        "saved-reply",
        "presence",
        "coach",
        "thread-live",
        "customer-panel",
        "saved-reply-choice",
    )
}
URL_KWARGS.update(
    {
        f"conversations:{name}": lambda: {"pk": CustomerFactory().pk}
        for name in ("customer", "customer-merge", "customer-export", "customer-erase")
    }
)
URL_KWARGS["conversations:saved-reply-edit"] = URL_KWARGS["conversations:saved-reply-delete"] = (
    lambda: {"pk": SavedReply.objects.create(title="Hi", body="Hello").pk}
)
URL_KWARGS["conversations:attachment"] = lambda: {"pk": sample_attachment().pk}
URL_KWARGS["conversations:dispute-score"] = lambda: {
    "message_pk": Message.objects.get(conversation_id=sample_conversation_kwargs()["pk"]).pk
}
URL_KWARGS["actions:item"] = lambda: {"item_id": ActionItemFactory().pk}
URL_KWARGS["actions:session"] = lambda: {"session_id": FeedbackSessionFactory().pk}
# Views that also apply object-level rules: the sample object belongs to someone else, so a
# role the matrix allows may still be answered 404; tests/actions checks who sees what.
OBJECT_SCOPED_URL_NAMES = {"actions:item", "actions:session"}
URL_KWARGS.update(
    {
        f"learning:{name}": sample_learning_review_kwargs
        for name in (
            "review",
            "review-edit",
            "review-submit",
            "review-publish",
            "review-action-item",
            "review-feedback",
        )
    }
)
URL_KWARGS["learning:report-thread"] = lambda: {"pk": sample_anonymous_report_pk()}
OBJECT_SCOPED_URL_NAMES |= {"learning:review-edit", "learning:review-feedback"}


# care (goodwill): a sample gesture above the allowance, granted by someone else.
def sample_gesture_kwargs() -> dict[str, int]:
    from decimal import Decimal

    from careloop.care.services import grant_gesture
    from tests.conversations.factories import ConversationFactory
    from tests.people.factories import UserFactory

    gesture = grant_gesture(
        agent=UserFactory(role=Role.AGENT),
        conversation=ConversationFactory(),
        kind="refund",
        amount=Decimal("9999"),
        reason="Sample",
    )
    return {"pk": gesture.pk}


URL_KWARGS["care:grant"] = URL_KWARGS["care:conversation-panel"] = sample_conversation_kwargs
URL_KWARGS["care:gesture"] = URL_KWARGS["care:decide"] = sample_gesture_kwargs
URL_KWARGS["care:retry"] = URL_KWARGS["care:resolve"] = sample_gesture_kwargs
OBJECT_SCOPED_URL_NAMES |= {"care:gesture"}


def sample_webhook_endpoint_kwargs() -> dict[str, int]:
    from careloop.webhooks.models import WebhookEndpoint

    endpoint = WebhookEndpoint.objects.create(
        url="https://example.com/hook", secret="whsec_sample", event_types=["reply.sent"]
    )
    return {"pk": endpoint.pk}


URL_KWARGS["webhooks:endpoint"] = sample_webhook_endpoint_kwargs


# coaching: sample objects belong to someone else, so object-level rules may answer 404.
def sample_coaching_kwargs(kind: str) -> dict[str, int]:
    from tests.coaching import factories

    return {"pk": factories.sample_object_pk(kind)}


URL_KWARGS.update(
    {
        f"coaching:{name}": (lambda kind=kind: sample_coaching_kwargs(kind))
        for name, kind in (
            ("scenario", "scenario"),
            ("scenario-edit", "scenario"),
            ("scenario-publish", "scenario"),
            ("attempt-start", "scenario"),
            ("attempt", "attempt"),
            ("attempt-reply", "attempt"),
            ("review", "review"),
            ("review-score", "review"),
            ("review-acknowledge", "review"),
            ("review-dispute", "review"),
            ("review-resolve", "review"),
            ("rubric-retire", "rubric"),
            ("calibration", "calibration"),
            ("calibration-score", "calibration"),
            ("calibration-reveal", "calibration"),
            ("plan", "plan"),
            ("score-dispute-review", "score-dispute"),
        )
    }
)
URL_KWARGS["coaching:progress-of"] = lambda: {"user_id": sample_coaching_kwargs("person")["pk"]}
OBJECT_SCOPED_URL_NAMES |= {
    "coaching:attempt",
    "coaching:attempt-reply",
    "coaching:review",
    "coaching:review-score",
    "coaching:review-acknowledge",
    "coaching:review-dispute",
    "coaching:review-resolve",
    "coaching:calibration",
    "coaching:calibration-score",
    "coaching:calibration-reveal",
    "coaching:plan",
    "coaching:progress-of",
    "coaching:score-dispute-review",
}


# feedback: views whose URLs need objects; a recovery task is seen by its owner and their leads.
def sample_recovery_task_kwargs() -> dict[str, int]:
    from careloop.core.permissions import Role as Roles
    from tests.feedback.factories import answered, solved_conversation
    from tests.people.factories import UserFactory

    agent = UserFactory(role=Roles.AGENT)
    return {"pk": answered(solved_conversation(agent=agent), csat=1).recovery_task.pk}


def sample_feedback_object_kwargs(model_name: str) -> Callable[[], dict[str, int]]:
    def make() -> dict[str, int]:
        from careloop.feedback.models import CauseTag, SurveyQuestion, Theme
        from careloop.feedback.services import concerns, milestones

        if model_name == "concern":
            return {"pk": concerns.raise_concern(category="other", body="x", anonymous=True)[0].pk}
        if model_name == "rule":
            return {"pk": milestones.seed_default_rules()[0].pk}
        if model_name == "question":
            return {"pk": SurveyQuestion.objects.create(text="Why?", kind="relationship").pk}
        if model_name == "theme":
            return {"pk": Theme.objects.create(label="Parcels", centroid=b"").pk}
        return {"pk": CauseTag.objects.create(name="Late delivery").pk}

    return make


URL_KWARGS["feedback:recovery"] = sample_recovery_task_kwargs
URL_KWARGS["feedback:concern"] = sample_feedback_object_kwargs("concern")
URL_KWARGS["feedback:email-rule"] = sample_feedback_object_kwargs("rule")
URL_KWARGS["feedback:question-toggle"] = sample_feedback_object_kwargs("question")
URL_KWARGS["feedback:theme-rename"] = sample_feedback_object_kwargs("theme")
URL_KWARGS["feedback:cause-promote"] = sample_feedback_object_kwargs("cause")
OBJECT_SCOPED_URL_NAMES |= {"feedback:recovery"}


# recognition and playbook
def sample_story_kwargs() -> dict[str, int]:
    from tests.recognition.factories import SuccessStoryFactory

    return {"pk": SuccessStoryFactory(status="shared").pk}


def sample_article_kwargs() -> dict[str, int]:
    from tests.playbook.factories import ArticleFactory

    return {"pk": ArticleFactory().pk}


URL_KWARGS.update({f"recognition:{name}": sample_story_kwargs for name in ("story", "story-edit")})
URL_KWARGS.update(
    {f"recognition:{name}": sample_story_kwargs for name in ("story-consent", "story-decline")}
)
URL_KWARGS["recognition:story-ask"] = sample_story_kwargs
URL_KWARGS["recognition:story-propose"] = lambda: {
    "conversation_pk": sample_conversation_kwargs()["pk"]
}
URL_KWARGS.update(
    {
        f"playbook:{name}": sample_article_kwargs
        for name in ("article", "article-edit", "history", "vote", "reviewed")
    }
)
URL_KWARGS["playbook:version"] = URL_KWARGS["playbook:version-restore"] = lambda: {
    **sample_article_kwargs(),
    "number": 1,
}


def sample_revision_kwargs() -> dict[str, int]:
    from careloop.playbook.models import ArticleRevision, Visibility
    from tests.playbook.factories import ArticleFactory

    article = ArticleFactory(visibility=Visibility.PUBLIC)
    pending = ArticleRevision.objects.create(article=article, title=article.title, body="New.")
    return {"pk": article.pk, "revision_pk": pending.pk}


URL_KWARGS["playbook:revision-approve"] = sample_revision_kwargs
URL_KWARGS["playbook:promote"] = URL_KWARGS["playbook:suggestions"] = lambda: {
    "conversation_pk": sample_conversation_kwargs()["pk"]
}
# Editing a story is for its agent and proposer; editing an article for its owner and leads.
OBJECT_SCOPED_URL_NAMES |= {
    "recognition:story-edit",
    "playbook:article-edit",
    "playbook:version-restore",
}


# pulse (team voice)
def sample_live_survey_pk() -> int:
    from careloop.pulse.services.surveys import SurveyDraft, create_survey, launch_survey
    from tests.people.factories import UserFactory

    runner = UserFactory(role=Role.PEOPLE_PARTNER)
    return launch_survey(create_survey(SurveyDraft(title="Pulse"), created_by=runner), runner).pk


def sample_round_pk() -> int:
    from careloop.pulse.models import Round

    return Round.objects.get(survey_id=sample_live_survey_pk()).pk


def sample_idea_pk() -> object:
    from careloop.pulse.services.ideas import submit_idea
    from tests.people.factories import UserFactory

    return submit_idea(title="Idea", body="Try it.", author=UserFactory())[0].pk


def sample_feedback_request_pk() -> int:
    from careloop.pulse.services.feedback360 import request_feedback
    from tests.people.factories import UserFactory

    return request_feedback(UserFactory(), [UserFactory()]).pk


for _name in ("survey", "survey-question", "survey-thresholds", "survey-launch", "survey-end"):
    URL_KWARGS[f"pulse:{_name}"] = lambda: {"pk": sample_live_survey_pk()}
for _name in ("results", "plan-action", "results-export"):
    URL_KWARGS[f"pulse:{_name}"] = lambda: {"pk": sample_live_survey_pk()}
URL_KWARGS["pulse:round-close"] = URL_KWARGS["pulse:answer"] = lambda: {"pk": sample_round_pk()}
URL_KWARGS["pulse:idea"] = URL_KWARGS["pulse:idea-respond"] = lambda: {"pk": sample_idea_pk()}
for _name in ("feedback", "feedback-answer", "feedback-share", "feedback-close"):
    URL_KWARGS[f"pulse:{_name}"] = lambda: {"pk": sample_feedback_request_pk()}
OBJECT_SCOPED_URL_NAMES |= {
    "pulse:answer",
    "pulse:feedback",
    "pulse:feedback-answer",
    "pulse:feedback-share",
    "pulse:feedback-close",
}


# insights: the journey map's stage and touchpoint editors.
def sample_journey_stage_kwargs() -> dict[str, object]:
    from careloop.insights.models import JourneyStage

    return {"pk": JourneyStage.objects.create(name="Delivery").pk}


def sample_touchpoint_kwargs() -> dict[str, object]:
    from careloop.insights.models import JourneyStage, Touchpoint

    stage = JourneyStage.objects.create(name="Delivery")
    return {"pk": Touchpoint.objects.create(stage=stage, name="Tracking").pk}


# initiatives: a sample initiative of one team.
def sample_initiative_kwargs() -> dict[str, object]:
    import datetime

    from careloop.initiatives.services import InitiativeDraft, create_initiative

    initiative = create_initiative(
        InitiativeDraft(
            name="Empathy training",
            teams=[TeamFactory()],
            start=datetime.date(2026, 1, 1),
            outcomes=["csat"],
        ),
        created_by=None,
    )
    return {"pk": initiative.pk}


for _name in ("initiative", "pdf", "csv"):
    URL_KWARGS[f"initiatives:{_name}"] = sample_initiative_kwargs
URL_KWARGS["insights:journey-stage"] = sample_journey_stage_kwargs
URL_KWARGS["insights:journey-touchpoint"] = sample_touchpoint_kwargs


def sample_export_kwargs() -> dict[str, object]:
    from django.core.files.base import ContentFile

    from careloop.exports.models import OrganisationExport

    export = OrganisationExport(state=OrganisationExport.State.READY)
    export.file.save("export.zip", ContentFile(b"PK\x05\x06" + bytes(18)), save=True)
    return {"pk": export.pk}


URL_KWARGS["exports:download"] = sample_export_kwargs


def sample_attachment() -> Attachment:
    from django.core.files.base import ContentFile

    message = Message.objects.get(conversation_id=sample_conversation_kwargs()["pk"])
    return Attachment.objects.create(
        message=message,
        file=ContentFile(b"receipt", name="receipt.txt"),
        filename="receipt.txt",
        content_type="text/plain",
        size=7,
    )


def url_of(url_name: str) -> str:
    make_kwargs = URL_KWARGS.get(url_name)
    return reverse(url_name, kwargs=make_kwargs() if make_kwargs else None)


# API endpoints authenticate with keys and answer 401/403 rather than redirecting to sign-in;
# tests/api/test_api_permissions.py checks each of them against each role.
GUARDED_URL_NAMES = sorted(
    entry.url_name
    for entry in careloop_views()
    if hasattr(entry.callback, "required_action")
    and not getattr(entry.callback, "is_api_endpoint", False)
)
STAFF_COLUMNS = [role for role in COLUMNS if role is not Role.CUSTOMER]


def action_of(url_name: str) -> Action:
    entry = next(e for e in careloop_views() if e.url_name == url_name)
    return Action(entry.callback.required_action)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class GuardedUrl:
    url_name: str
    url: str


@pytest.fixture(scope="module", params=GUARDED_URL_NAMES)
def guarded(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[GuardedUrl]:
    """A guarded view's URL, with its sample objects (and a team) made once for every test of
    that view; pytest runs those tests together, then the objects are rolled back."""
    url_name: str = request.param

    def build() -> GuardedUrl:
        TeamFactory()
        return GuardedUrl(url_name, url_of(url_name))

    yield from built_once(django_db_blocker, build)


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_COLUMNS)
def test_each_view_answers_each_role_as_the_matrix_says(
    guarded: GuardedUrl, role: Role, client_as: Callable[[Role], Client]
) -> None:
    url_name, url = guarded.url_name, guarded.url
    response = client_as(role).get(url)
    if EXPECTED[(action_of(url_name), role)]:
        # POST-only views answer an allowed GET with 405, after the permission check.
        allowed = (200, 405, 404) if url_name in OBJECT_SCOPED_URL_NAMES else (200, 405)
        assert response.status_code in allowed, url
    else:
        assert response.status_code == 403, url


@pytest.mark.django_db
def test_each_view_sends_signed_out_visitors_to_sign_in(
    guarded: GuardedUrl, client: Client
) -> None:
    response = client.get(guarded.url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_a_customer_record_reaches_no_staff_view(
    guarded: GuardedUrl, client: Client, person_with_role: Callable[[Role], User]
) -> None:
    # Even a forced session does not authenticate a customer record: the backend refuses it.
    client.force_login(person_with_role(Role.CUSTOMER))
    response = client.get(guarded.url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_COLUMNS)
def test_django_admin_site_only_for_admins(role: Role, client_as: Callable[[Role], Client]) -> None:
    response = client_as(role).get(reverse("admin:index"))
    if EXPECTED[(Action.USE_ADMIN_SITE, role)]:
        assert response.status_code == 200
    else:
        assert response.status_code == 302  # the admin's own login page
        assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_COLUMNS)
def test_navigation_lists_exactly_the_sections_the_role_may_open(
    role: Role, client_as: Callable[[Role], Client]
) -> None:
    from careloop.core.navigation import SECTIONS

    response = client_as(role).get(reverse("core:dashboard"))
    listed = {section.slug for section in response.context["nav_sections"]}
    assert listed == {s.slug for s in SECTIONS if EXPECTED[(s.action, role)]}
