"""No page grows with the organisation: with the demo organisation (6 000 conversations), every
page each role reaches stays under 200 KB of HTML; long lists are searched, not rendered."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from careloop.core.permissions import Role
from careloop.demo.organisation import create_demo_organisation
from careloop.people.models import User
from tests.core.test_hostile_text import crawl
from tests.core.test_permission_matrix import GUARDED_URL_NAMES

MAX_PAGE_BYTES = 200_000
ROLES = [Role.AGENT, Role.TEAM_LEAD, Role.CX_LEADER, Role.PEOPLE_PARTNER, Role.ADMIN]


def pages_without_arguments() -> list[str]:
    """Every guarded page the permission matrix checks that needs no object: forms included,
    which links alone (buttons to "new …" pages) may not reach."""
    paths = []
    for url_name in GUARDED_URL_NAMES:
        try:
            paths.append(reverse(url_name))
        except NoReverseMatch:
            continue
    return paths


@pytest.mark.django_db
def test_no_page_is_over_200_kb_for_any_role_with_the_demo_organisation(client: Client) -> None:
    create_demo_organisation()
    oversized: list[tuple[Role, str, int]] = []
    visited = 0
    # The form that listed all 6 097 conversations in one <select> (459 KB) is among them.
    assert reverse("learning:review-create") in pages_without_arguments()
    for role in ROLES:
        person = User.objects.filter(role=role, is_active=True).order_by("pk").first()
        assert person is not None, role
        client.force_login(person)
        pages = {path: len(html.encode()) for path, html in crawl(client).items()}
        for path in pages_without_arguments():
            if path not in pages:
                pages[path] = len(client.get(path).content)
        visited += len(pages)
        oversized += [(role, path, size) for path, size in pages.items() if size > MAX_PAGE_BYTES]

    assert visited > 300
    assert oversized == []
