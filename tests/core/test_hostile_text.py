"""Script in any text a person can write is shown as text on every page, never run as HTML.

The demo organisation is built and every free-text field of every careloop model is overwritten
with a payload (once for the module), then every page reachable by links is visited as each
staff role.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.db import IntegrityError, models, transaction
from django.test import Client
from pytest_django import DjangoDbBlocker

from careloop.core.permissions import Role
from careloop.demo.organisation import create_demo_organisation
from careloop.people.models import User
from tests.fixtures.database import built_once

PAYLOAD = "<svg onload=alert(1)>"
# Fields that hold identifiers, codes or machine values rather than prose.
MACHINE_FIELD = re.compile(
    r"slug|email|token|key|prefix|sha|dedupe|path|content_type|time_zone|language|code|hash"
    r"|url|password|message_id|secret|ip|currency|fingerprint|^value$|^file$"
)
LINK = re.compile(r'href="(/[^"#]*)"')
SKIPPED_PATHS = ("/accounts/logout", "/admin/", "/static/", "/media/", "/api/", "/attachments/")
MAX_PAGES_PER_ROLE = 250
MAX_VISITS_PER_SHAPE = 2


def writable_text_fields(model: type[models.Model]) -> Iterator[models.Field[str, str]]:
    for field in model._meta.get_fields():
        if not isinstance(field, models.CharField | models.TextField) or field.choices:
            continue
        if field.primary_key or MACHINE_FIELD.search(field.name):
            continue
        if isinstance(field, models.CharField) and (field.max_length or 0) < len(PAYLOAD) + 8:
            continue
        yield field


def fill_every_text_field_with_the_payload() -> int:
    filled = 0
    for model in apps.get_models():
        if not model.__module__.startswith("careloop.") or model._meta.proxy:
            continue
        for field in writable_text_fields(model):
            for pk in model._default_manager.values_list("pk", flat=True)[:200]:
                # A suffix keeps unique fields unique; rows whose constraints forbid text
                # there (an anonymous concern has no name) keep theirs.
                try:
                    with transaction.atomic():
                        model._default_manager.filter(pk=pk).update(
                            **{field.name: f"{PAYLOAD} {pk}"}
                        )
                except IntegrityError:
                    continue
                filled += 1
    return filled


def shape_of(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


def crawl(client: Client) -> dict[str, str]:
    """Every page reachable from the dashboard by links: path -> HTML."""
    seen: dict[str, str] = {}
    shapes: dict[str, int] = {}
    queue = deque(["/"])
    while queue and len(seen) < MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        if path in seen or path.startswith(SKIPPED_PATHS):
            continue
        if shapes.get(shape_of(path), 0) >= MAX_VISITS_PER_SHAPE:
            continue
        shapes[shape_of(path)] = shapes.get(shape_of(path), 0) + 1
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            seen[path] = ""
            continue
        html = response.content.decode()
        seen[path] = html
        queue.extend(link.replace("&amp;", "&") for link in LINK.findall(html))
    return seen


@pytest.fixture(scope="module")
def fields_filled(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[int]:
    """The demo with the payload in its text fields, made once for the module's crawls (each
    crawl's own changes are undone after it); how many fields were filled."""

    def build() -> int:
        create_demo_organisation(conversations=25)
        return fill_every_text_field_with_the_payload()

    yield from built_once(django_db_blocker, build)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ADMIN, Role.TEAM_LEAD, Role.AGENT, Role.PEOPLE_PARTNER])
def test_no_page_renders_a_payload_as_html(role: Role, client: Client, fields_filled: int) -> None:
    assert fields_filled > 100
    person = User.objects.filter(role=role, is_active=True).order_by("pk").first()
    assert person is not None
    client.force_login(person)

    pages = crawl(client)

    assert len([html for html in pages.values() if html]) > 20, sorted(pages)
    rendered = [path for path, html in pages.items() if PAYLOAD in html]
    assert rendered == [], f"unescaped payload on: {rendered}"
    escaped = [path for path, html in pages.items() if "&lt;svg onload=alert(1)&gt;" in html]
    assert escaped, "the payload should show, escaped, somewhere"
