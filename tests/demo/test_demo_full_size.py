"""Checks that need the demo at the size `careloop demo` builds (6 000 conversations), the
costliest build in the suite, so they share one build.

- The demo tells the story it was built to: its initiatives' effects, read through the
  initiative page's selector from the roll-ups the demo builds, recover the effects built in.
- No page grows with the organisation: every page each role reaches stays under 200 KB of
  HTML; long lists are searched, not rendered.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from careloop.core import calendar
from careloop.core.permissions import Role
from careloop.demo.conversations import DEFAULT_CONVERSATIONS
from careloop.demo.initiatives import DEMO_INITIATIVES, DemoInitiative
from careloop.feedback.models import SurveyResponse
from careloop.initiatives import selectors
from careloop.initiatives.models import Initiative
from careloop.people.models import User
from tests.core.test_hostile_text import crawl
from tests.core.test_permission_matrix import GUARDED_URL_NAMES
from tests.fixtures.demo import shared_demo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

# The demo as `careloop demo` builds it: the effects are sized for its volume of answers.
demo = shared_demo(conversations=DEFAULT_CONVERSATIONS)

REAL, NULL, EARLY = DEMO_INITIATIVES
MAX_PAGE_BYTES = 200_000
ROLES = [Role.AGENT, Role.TEAM_LEAD, Role.CX_LEADER, Role.PEOPLE_PARTNER, Role.ADMIN]


def built_in_csat_effect(initiative: DemoInitiative) -> float:
    """The lift in CSAT points the demo built in: per month since the start, the share of the
    team's answers that were unhappy before lifting (observed unhappy ÷ (1 − lift)) × lift,
    averaged over the months as the comparison averages them."""
    start = calendar.first_of_month(Initiative.objects.get(name=initiative.name).start)
    last = selectors.last_complete_month()
    lifts = []
    for month in selectors.months_between(start, last):
        answers = SurveyResponse.objects.filter(
            team__name=initiative.team,
            csat__isnull=False,
            invitation__sent_at__gte=calendar.start_of_day(month),
            invitation__sent_at__lt=calendar.start_of_day(calendar.next_month(month)),
        )
        unhappy = answers.filter(csat__lt=4).count() / answers.count()
        lifts.append(100 * initiative.csat_lift * unhappy / (1 - initiative.csat_lift))
    return sum(lifts) / len(lifts)


def csat_effect(initiative: DemoInitiative) -> selectors.Effect:
    return selectors.effect_of(Initiative.objects.get(name=initiative.name), "csat")


def test_the_real_initiatives_interval_covers_the_effect_built_in() -> None:
    effect = csat_effect(REAL)
    estimate = effect.result.effect
    built_in = built_in_csat_effect(REAL)
    assert built_in > 5  # the demo built in a visible lift
    assert estimate.value is not None and estimate.low is not None and estimate.high is not None
    assert estimate.low <= built_in <= estimate.high, (built_in, effect.reading)
    assert estimate.value > 0, effect.reading
    # One treated team against four whose climates part ways over the year (one team's hard
    # year, another's turnaround): the interval is honest and wide, and includes zero.
    assert estimate.comparison_teams == 4 and estimate.post_months == 5


def test_the_null_initiatives_interval_covers_zero() -> None:
    effect = csat_effect(NULL)
    assert effect.result.effect.value is not None, effect.reading
    assert effect.result.effect.includes_zero, effect.reading
    assert "No measurable effect on CSAT" in effect.reading


def test_the_initiative_started_this_month_says_what_is_missing() -> None:
    effect = csat_effect(EARLY)
    assert effect.result.effect.value is None
    assert "at least 2 months since the start (has 0)" in effect.reading


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


def test_no_page_is_over_200_kb_for_any_role_with_the_demo_organisation(client: Client) -> None:
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
