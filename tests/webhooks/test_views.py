"""Settings → Integrations: admins only; a secret shown once; the log, redeliver, enable."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from careloop.core.permissions import STAFF_ROLES, Role
from careloop.webhooks import services
from careloop.webhooks.models import ChatChannel, WebhookDelivery, WebhookEndpoint
from tests.people.factories import TeamFactory
from tests.webhooks.conftest import Receiver

pytestmark = pytest.mark.django_db
ClientAs = Callable[[Role], Client]


@pytest.mark.parametrize("role", sorted(STAFF_ROLES - {Role.ADMIN}))
def test_only_admins_reach_the_integrations_pages(client_as: ClientAs, role: Role) -> None:
    endpoint, _ = services.create_endpoint(
        url="https://example.com/hook", event_types=["reply.sent"], created_by=None
    )
    client = client_as(role)
    assert client.get(reverse("webhooks:list")).status_code == 403
    assert client.get(reverse("webhooks:endpoint", args=[endpoint.pk])).status_code == 403
    response = client.post(
        reverse("webhooks:list"), {"url": "https://evil.example/", "event_types": ["reply.sent"]}
    )
    assert response.status_code == 403
    assert WebhookEndpoint.objects.count() == 1


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(
    client_as: ClientAs, receiver: Receiver
) -> None:
    admin = client_as(Role.ADMIN)
    response = admin.post(
        reverse("webhooks:list"),
        {"url": receiver.url("/ok"), "event_types": ["conversation.created", "reply.sent"]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response.templates[0].name == "webhooks/_integrations.html"
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == ["conversation.created", "reply.sent"]
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in response.content.decode()
    assert endpoint.secret not in admin.get(reverse("webhooks:list")).content.decode()
    page = admin.get(reverse("webhooks:endpoint", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in page


def test_a_bad_endpoint_is_refused_with_field_errors(client_as: ClientAs) -> None:
    response = client_as(Role.ADMIN).post(
        reverse("webhooks:list"), {"url": "ftp://example.com/x", "event_types": ["nope"]}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"url", "event_types"}
    assert not WebhookEndpoint.objects.exists()


def test_the_log_shows_each_attempt_and_redeliver_sends_again(
    client_as: ClientAs, receiver: Receiver
) -> None:
    admin = client_as(Role.ADMIN)
    endpoint, _ = services.create_endpoint(
        url=receiver.url("/flaky"), event_types=["reply.sent"], created_by=None
    )
    receiver.flaky = [502]
    url = reverse("webhooks:endpoint", args=[endpoint.pk])
    response = admin.post(url, {"do": "test"})
    assert "HTTP 502" in response.content.decode()
    delivery = WebhookDelivery.objects.get()
    response = admin.post(url, {"do": "redeliver", "delivery": delivery.pk})
    page = response.content.decode()
    assert "HTTP 200" in page and "(by hand)" in page and "ping" in page
    assert [a.response_status for a in delivery.log.all()] == [502, 200]
    assert len(receiver.wait_for(2)) == 2


def test_disable_enable_and_roll_the_secret(client_as: ClientAs) -> None:
    admin = client_as(Role.ADMIN)
    endpoint, old_secret = services.create_endpoint(
        url="https://example.com/hook", event_types=["reply.sent"], created_by=None
    )
    url = reverse("webhooks:endpoint", args=[endpoint.pk])
    admin.post(url, {"do": "disable"})
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    admin.post(url, {"do": "enable"})
    response = admin.post(url, {"do": "roll"})
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.secret != old_secret
    assert endpoint.secret in response.content.decode()
    admin.post(url, {"do": "events", "event_types": ["concern.received"]})
    endpoint.refresh_from_db()
    assert endpoint.event_types == ["concern.received"]


def test_an_admin_adds_and_removes_a_chat_channel(client_as: ClientAs) -> None:
    admin = client_as(Role.ADMIN)
    team = TeamFactory()
    admin.post(
        reverse("webhooks:chat-add"),
        {"service": "slack", "team": team.pk, "webhook_url": "https://hooks.slack.com/x"},
    )
    channel = ChatChannel.objects.get()
    assert (channel.service, channel.team) == ("slack", team)
    assert "Slack" in admin.get(reverse("webhooks:list")).content.decode()
    admin.post(reverse("webhooks:chat-remove"), {"channel": channel.pk})
    assert not ChatChannel.objects.exists()
