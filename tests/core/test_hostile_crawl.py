"""Hostile values in any form field or query parameter never make a page answer with a 5xx.

For each staff role, every page the role may open is fetched once to find its forms and the
query parameters its links use; then Hypothesis fills each of them with hostile values
(superscript digits, 5 000-digit numbers, 1e999, a lone surrogate, CR/LF, very long text, a
spreadsheet formula, the first month there is) and sends them. Every answer must be below 500.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from careloop.core.permissions import Role
from tests.core.test_permission_matrix import GUARDED_URL_NAMES, careloop_views, url_of
from tests.people.factories import TeamFactory, UserFactory

HOSTILE = (
    "²",
    "9" * 5000,
    "1e999",
    "-1",
    "\ud800",
    "line\r\nBcc: someone@example.com",
    "long " * 4000,
    "=cmd|' /C calc'!A0",
    "٣",
    "0001-01",
    "0001-01-01",
    "",
)
SKIPPED = ("/accounts/", "/admin/", "/api/", "/static/", "/media/", "/chat/api/events/")
HREF = re.compile(r'href="([^"#]*\?[^"#]*)"')


@dataclass(frozen=True)
class Form:
    method: str
    action: str
    fields: tuple[str, ...]


@dataclass
class Page:
    path: str
    query_names: set[str] = field(default_factory=set)
    forms: list[Form] = field(default_factory=list)


FIELD_TAGS = ("input", "select", "textarea", "button")


def _is_filled_in(field: dict[str, str]) -> bool:
    return field.get("name", "") not in ("", "csrfmiddlewaretoken") and field.get("type") != "file"


class _FormFinder(HTMLParser):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.forms: list[Form] = []
        self._open: tuple[str, str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            action = urljoin(self.path, found.get("action") or self.path)
            self._open = (found.get("method", "get").lower(), action, [])
        elif tag in FIELD_TAGS and self._open and _is_filled_in(found):
            self._open[2].append(found["name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._open:
            method, action, names = self._open
            self.forms.append(Form(method, action, tuple(dict.fromkeys(names))))
            self._open = None


def discover(client: Client, urls: list[str]) -> list[Page]:
    """The pages that open as HTML, with their forms and their links' query parameters."""
    pages: dict[str, Page] = {}
    seen_forms: set[Form] = set()  # a form on every page (the header's search) is tried once
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        page = pages.setdefault(url, Page(url))
        finder = _FormFinder(url)
        finder.feed(html)
        page.forms = [
            form
            for form in finder.forms
            if not form.action.startswith(SKIPPED) and form not in seen_forms
        ]
        seen_forms.update(page.forms)
        for link in HREF.findall(html):
            target = urljoin(url, link.replace("&amp;", "&"))
            if urlsplit(target).path == url:
                page.query_names.update(name for name, _ in parse_qsl(urlsplit(target).query))
    return list(pages.values())


def public_pages() -> list[str]:
    """Public pages whose URLs need no token: the help centre, the concern and idea forms."""
    urls = []
    for entry in careloop_views():
        if getattr(entry.callback, "is_public", False) and "chat" not in entry.url_name:
            try:
                urls.append(reverse(entry.url_name))
            except NoReverseMatch:
                continue
    return urls


def encoded(values: dict[str, str]) -> str:
    """A query string or form body; a lone surrogate travels as the bytes a client would send."""

    def quoted(text: str) -> str:
        return quote(text.encode("utf-8", "surrogatepass"), safe="")

    return "&".join(f"{quoted(name)}={quoted(value)}" for name, value in values.items())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.AGENT, Role.TEAM_LEAD, Role.CX_LEADER, Role.PEOPLE_PARTNER, Role.ADMIN]
)
def test_no_page_answers_hostile_input_with_a_server_error(role: Role) -> None:
    TeamFactory()
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(role=role))
    urls = sorted({url_of(name) for name in GUARDED_URL_NAMES} | set(public_pages()))
    pages = discover(client, [url for url in urls if not url.startswith(SKIPPED)])
    assert len(pages) > 20
    failures: list[str] = []

    def check(method: str, url: str, values: dict[str, str], status: int) -> None:
        if status >= 500:
            shown = {name: value[:12] for name, value in values.items()}
            failures.append(f"{method} {url} {shown} -> {status}")

    @settings(
        max_examples=2,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def send_hostile_values(data: st.DataObject) -> None:
        def values_for(names: set[str] | tuple[str, ...]) -> dict[str, str]:
            return {name: data.draw(st.sampled_from(HOSTILE)) for name in sorted(names)}

        for page in pages:
            if page.query_names:
                values = values_for(page.query_names)
                response = client.get(f"{page.path}?{encoded(values)}")
                check("GET", page.path, values, response.status_code)
            for form in page.forms:
                values = values_for(form.fields)
                if form.method == "post":
                    response = client.post(
                        form.action, encoded(values), "application/x-www-form-urlencoded"
                    )
                else:
                    response = client.get(f"{form.action.split('?')[0]}?{encoded(values)}")
                check(form.method.upper(), form.action, values, response.status_code)

    send_hostile_values()

    assert failures == [], "\n".join(failures)
