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


# On a phone the menu starts folded (static/careloop/app.js folds it as the page loads).
AS_ON_A_PHONE = """() => {
  const menu = document.querySelector('.nav-disclosure');
  if (menu) menu.open = false;
  return document.documentElement.scrollWidth;
}"""


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_page_passes_wcag_21_aa_and_fits_a_390_pixel_phone(
    role: Role, every_page: dict[Role, SignedIn]
) -> None:
    """One visit per page for both checks (the page loads were half the crawl's time): axe on
    the desktop layout, then the same page narrowed to a phone's width."""
    assert AXE_SCRIPT.exists(), "run `npm ci`: the accessibility check comes from axe-core"
    visitor = every_page[role]
    # Chromium adds axe to each page as it opens: the script is handed over once, not with
    # every visit.
    visitor.page.add_init_script(path=AXE_SCRIPT)
    violations: dict[str, list[object]] = {}
    too_wide: dict[str, int] = {}
    for path in visitor.paths:
        visitor.page.set_viewport_size(DESKTOP_VIEWPORT)
        visitor.visit(path)
        found = visitor.page.evaluate(RUN_AXE, WCAG_21_AA)
        if found:
            violations[path] = found
        visitor.page.set_viewport_size(PHONE_VIEWPORT)
        width = visitor.page.evaluate(AS_ON_A_PHONE)
        if width > PHONE_VIEWPORT["width"]:
            too_wide[path] = width
    assert len(visitor.paths) > 10, visitor.paths
    assert violations == {}
    assert too_wide == {}
