"""Every page, as each staff role, passes axe-core's WCAG 2.1 AA rules and fits a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from careloop.core.permissions import Role
from careloop.settings.environment import node_modules_dir
from tests.browser.conftest import DESKTOP_VIEWPORT
from tests.browser.crawl import STAFF_ROLES, SignedIn

# The module's demo organisation outlives each test: no test here writes to the database.
pytestmark = [
    pytest.mark.django_db,
    # Contrast, labels and layout are the same whatever the database: the crawl (minutes of
    # Chromium) runs on the SQLite leg, not again on PostgreSQL's.
    pytest.mark.skipif(
        connection.vendor == "postgresql", reason="layout and accessibility: the SQLite leg"
    ),
]

PHONE_VIEWPORT = {"width": 390, "height": 844}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe-core is a test-only npm package: injected here, never served to anyone.
AXE_SCRIPT = Path(node_modules_dir()) / "axe-core" / "axe.min.js"
# Only violations are reported, so axe need not gather the details of what passed.
RUN_AXE = """async (tags) => {
  const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
  const results = await axe.run(document, options);
  return results.violations.map(v => ({
    id: v.id,
    help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary),
  }));
}"""


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_page_passes_wcag_21_aa(role: Role, every_page: dict[Role, SignedIn]) -> None:
    assert AXE_SCRIPT.exists(), "run `npm ci`: the accessibility check comes from axe-core"
    visitor = every_page[role]
    # A tab of its own, where Chromium adds axe to each page as it opens: the script is handed
    # over once, not with every visit, and the phone test's tab never loads it.
    checked = visitor.page.context.new_page()
    checked.set_viewport_size(DESKTOP_VIEWPORT)
    checked.add_init_script(path=AXE_SCRIPT)
    violations: dict[str, list[object]] = {}
    for path in visitor.paths:
        visitor.visit(path, checked)
        found = checked.evaluate(RUN_AXE, WCAG_21_AA)
        if found:
            violations[path] = found
    checked.close()
    assert len(visitor.paths) > 10, visitor.paths
    assert violations == {}


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_page_fits_a_390_pixel_phone_without_scrolling_sideways(
    role: Role, every_page: dict[Role, SignedIn]
) -> None:
    visitor = every_page[role]
    visitor.page.set_viewport_size(PHONE_VIEWPORT)
    too_wide: dict[str, int] = {}
    for path in visitor.paths:
        visitor.visit(path)
        width = visitor.page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_VIEWPORT["width"]:
            too_wide[path] = width
    assert len(visitor.paths) > 10, visitor.paths
    assert too_wide == {}
