"""Every page of the demo organisation as each staff role, for the tests that visit them all.

The demo organisation is built once per module; the pages are found by following links from
the dashboard as each role (one page of each view), and each role's browser page is
signed in once, with the session of a Django test client.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabase
from django.test import Client
from django.urls import Resolver404, resolve
from playwright.sync_api import Browser, Page
from pytest_django import DjangoDbBlocker
from pytest_django.live_server_helper import LiveServer

from careloop.core.permissions import Role
from careloop.demo.organisation import create_demo_organisation
from careloop.people.models import User

STAFF_ROLES = (Role.AGENT, Role.TEAM_LEAD, Role.CX_LEADER, Role.PEOPLE_PARTNER, Role.ADMIN)
DEMO_CONVERSATIONS = 25
LINK = re.compile(r'href="(/[^"#]*)"')
# Pages outside the product's own screens, and the ones a link does something on.
SKIPPED_PATHS = ("/accounts/logout", "/admin/", "/static/", "/media/", "/api/", "/attachments/")
SKIPPED_SUFFIXES = (".csv", "/export/", "/download/")
MAX_PAGES_PER_ROLE = 120


def shape_of(path: str) -> str:
    """The view's route: `/inbox/12/?view=mine` and `/inbox/40/` are one page, visited once."""
    try:
        return resolve(path.split("?")[0]).route
    except Resolver404:
        return path


def page_paths(client: Client) -> list[str]:
    """One page of each view reachable from the dashboard by links, as the client's person."""
    found: list[str] = []
    shapes: set[str] = set()
    queue = deque(["/"])
    while queue and len(found) < MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        if path.startswith(SKIPPED_PATHS) or path.split("?")[0].endswith(SKIPPED_SUFFIXES):
            continue
        if shape_of(path) in shapes:
            continue
        shapes.add(shape_of(path))
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        found.append(path)
        queue.extend(link.replace("&amp;", "&") for link in LINK.findall(response.content.decode()))
    return found


@dataclass
class SignedIn:
    role: Role
    page: Page
    paths: list[str]
    base_url: str

    def visit(self, path: str) -> None:
        """Open the page; one that answers with an error is a failure, not a page to check."""
        response = self.page.goto(self.base_url + path, wait_until="load")
        assert response is not None and response.ok, (
            f"{path} answered {response and response.status}"
        )


@pytest.fixture(scope="module")
def every_page(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, browser: Browser
) -> Iterator[dict[Role, SignedIn]]:
    """Per staff role: a browser page signed in as that role, and the pages they reach.

    The server is this module's own, not pytest-django's `live_server`, whose use empties the
    database after every test; the demo organisation is removed when the module is done.
    """
    with django_db_blocker.unblock():
        create_demo_organisation(conversations=DEMO_CONVERSATIONS)
        server = LiveServer("localhost")
        signed_in: dict[Role, SignedIn] = {}
        for role in STAFF_ROLES:
            person = User.objects.filter(role=role, is_active=True).order_by("pk").first()
            assert person is not None, role
            client = Client()
            client.force_login(person)
            context = browser.new_context()
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": server.url}]
            )
            signed_in[role] = SignedIn(role, context.new_page(), page_paths(client), server.url)
        # Each test runs in a transaction on this connection, which the test itself never
        # writes to. Begun IMMEDIATE (as careloop's SQLite settings ask), it would hold the
        # write lock, and every page that writes (an audit event, a read marker) would wait
        # out SQLite's timeout and fail; begun DEFERRED, it takes no lock at all.
        connection = connections["default"]
        connection.ensure_connection()
        sqlite = connection if isinstance(connection, SQLiteDatabase) else None
        transaction_mode = sqlite.transaction_mode if sqlite else None
        if sqlite:
            sqlite.transaction_mode = None
    yield signed_in
    if sqlite:
        sqlite.transaction_mode = transaction_mode
    for visitor in signed_in.values():
        visitor.page.context.close()
    server.stop()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
