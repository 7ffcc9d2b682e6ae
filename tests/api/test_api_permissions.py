"""Every API endpoint against every staff role, with keys: the API's permission matrix.

The session-based matrix in tests/core/test_permission_matrix.py skips API endpoints because
they answer 401/403 rather than redirecting to the sign-in page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from careloop.api.models import ApiIdempotentResponse
from careloop.api.scopes import Scope
from careloop.conversations.models import Channel, Conversation, InboundRecord, SavedReply
from careloop.conversations.services.conversations import receive_customer_message
from careloop.core.permissions import STAFF_ROLES, Role, can
from careloop.learning.models import ReviewStatus
from careloop.learning.models import Visibility as LearningVisibility
from careloop.people.models import User
from careloop.pulse.services.ideas import submit_idea
from tests.actions.factories import ActionItemFactory
from tests.conversations.factories import CustomerFactory
from tests.core.test_permission_matrix import Principal
from tests.core.test_row_access import _gesture, _recovery_task
from tests.fixtures.api import ClientMaker
from tests.learning.factories import LearningReviewFactory
from tests.people.factories import TeamFactory, UserFactory
from tests.playbook.factories import ArticleFactory
from tests.pulse.factories import live_survey


def api_endpoints() -> list[tuple[str, Any, list[str]]]:
    """(url name, view callable, URL kwarg names) of every endpoint under /api/v1/."""
    api = next(
        pattern
        for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLResolver) and pattern.namespace == "api"
    )
    return [
        (f"api:{pattern.name}", pattern.callback, sorted(pattern.pattern.converters))
        for pattern in api.url_patterns
        if isinstance(pattern, URLPattern) and getattr(pattern.callback, "is_api_endpoint", False)
    ]


API_ENDPOINTS = api_endpoints()


SampleRows = Callable[[User], dict[str, Any]]


@pytest.fixture
def sample_rows(db: None) -> SampleRows:
    """Rows for every endpoint's URL; those that belong to someone belong to `owner`, the
    others are ones every role that may use the endpoint can see."""

    def build(owner: User) -> dict[str, Any]:
        message = receive_customer_message(CustomerFactory(), channel=Channel.API, body_text="Hi")
        task = _recovery_task(owner, owner.team)
        review = LearningReviewFactory(
            status=ReviewStatus.PUBLISHED, visibility=LearningVisibility.ORGANISATION
        )
        idea, _ = submit_idea(
            title="Quiet hours", body="No meetings before ten.", author=UserFactory()
        )
        return {
            "conversation_id": message.conversation_id,
            "customer_id": message.conversation.customer_id,
            "gesture_id": _gesture(owner, owner.team).pk,
            "task_id": task.pk,
            "answer_id": task.response_id,
            "saved_reply_id": SavedReply.objects.create(title="Hello", body="Hi there").pk,
            "review_id": review.pk,
            "item_id": ActionItemFactory().pk,
            "idea_id": idea.pk,
            "article_id": ArticleFactory().pk,
            "survey_id": live_survey().pk,
        }

    return build


def test_the_api_endpoints_are_found_and_each_declares_an_action_and_scopes() -> None:
    names = {name for name, _, _ in API_ENDPOINTS}
    assert {"api:conversations", "api:conversation", "api:customer"} <= names
    assert all(hasattr(callback, "required_action") for _, callback, _ in API_ENDPOINTS)
    for _, callback, _ in API_ENDPOINTS:
        answered = {
            method.upper() for method in ("get", "post", "patch") if hasattr(callback.cls, method)
        }
        assert set(callback.required_scopes) == answered, callback.cls


@pytest.mark.parametrize(("url_name", "callback", "kwarg_names"), API_ENDPOINTS)
def test_each_endpoint_refuses_a_key_without_its_scope(
    url_name: str,
    callback: Any,
    kwarg_names: list[str],
    api_as: ClientMaker,
    sample_rows: SampleRows,
) -> None:
    sample_kwargs = sample_rows(UserFactory(role=Role.ADMIN))
    url = reverse(url_name, kwargs={name: sample_kwargs[name] for name in kwarg_names})
    for method, scope in callback.required_scopes.items():
        others = [other for other in Scope if other is not scope]
        client = api_as(Role.ADMIN, scopes=others)
        response = client.generic(
            method, url, "{}", content_type="application/json", headers={"Idempotency-Key": "s"}
        )
        assert response.status_code == 403, (method, url)
        assert scope.value in response.json()["detail"]
    assert not InboundRecord.objects.exists()


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
@pytest.mark.parametrize(("url_name", "callback", "kwarg_names"), API_ENDPOINTS)
def test_each_endpoint_answers_each_role_as_the_rules_say(
    url_name: str,
    callback: Any,
    kwarg_names: list[str],
    role: Role,
    api_as: ClientMaker,
    sample_rows: SampleRows,
) -> None:
    owner = UserFactory(role=role, team=TeamFactory())
    sample_kwargs = sample_rows(owner)
    url = reverse(url_name, kwargs={name: sample_kwargs[name] for name in kwarg_names})
    response = api_as(owner=owner).get(url)
    allowed = can(Principal(role), callback.required_action)
    # POST-only endpoints answer an allowed GET with 405: the permission check came first.
    expected = (200 if hasattr(callback.cls, "get") else 405) if allowed else 403
    assert response.status_code == expected, url


def test_a_people_partner_key_may_not_open_conversations_and_nothing_is_kept(
    api_as: ClientMaker,
) -> None:
    response = api_as(Role.PEOPLE_PARTNER).post(
        reverse("api:conversations"),
        {"customer": {"email": "ana@example.test"}, "body": "Hello"},
        format="json",
        headers={"Idempotency-Key": "k1"},
    )
    assert response.status_code == 403
    assert not Conversation.objects.exists()
    assert not InboundRecord.objects.exists()
    assert not ApiIdempotentResponse.objects.exists()
