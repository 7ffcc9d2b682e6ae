"""The shell every page shares: a favicon linked and served, so no page asks for a missing one."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from careloop.core.permissions import Role

pytestmark = pytest.mark.django_db

ICON_LINK = re.compile(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">')


def assert_links_a_served_favicon(client: Client, path: str) -> None:
    link = ICON_LINK.search(client.get(path).content.decode())
    assert link is not None, f"{path} links no favicon: the browser asks for /favicon.ico"
    icon = client.get(link.group(1))
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)  # type: ignore[attr-defined]


def test_signed_in_pages_link_a_favicon_that_is_served(
    client_as: Callable[[Role], Client],
) -> None:
    assert_links_a_served_favicon(client_as(Role.AGENT), "/")


def test_the_sign_in_page_links_a_favicon_that_is_served(client: Client) -> None:
    assert_links_a_served_favicon(client, "/accounts/login/")
