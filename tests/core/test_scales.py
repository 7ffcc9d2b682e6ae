"""The survey scales' lines, and the database's reading of them agreeing with Python's."""

import pytest
from django.utils import timezone

from careloop.core import scales
from careloop.core.scales import CES, CSAT, NPS
from careloop.feedback.models import SurveyInvitation, SurveyKind, SurveyResponse
from tests.conversations.factories import CustomerFactory


def test_promoters_detractors_and_passives_make_the_net_promoter_score() -> None:
    # 2 promoters (9, 10), 1 passive (7), 1 detractor (6): (2 - 1) / 4.
    assert scales.net_promoter_score([9, 10, 7, 6]) == 25
    assert scales.net_promoter_score([]) is None


def test_satisfied_and_easy_are_the_top_of_their_scales() -> None:
    assert [CSAT.is_good(v) for v in range(1, 6)] == [False, False, False, True, True]
    assert scales.percent_good(CES, [5, 7, 4, 1]) == 50
    assert [value for value, _ in NPS.choices()] == list(range(11))


def test_any_poor_score_makes_a_detractor_and_says_which() -> None:
    assert scales.poor_scores([(NPS, 8), (CSAT, 2), (CES, None)]) == ["CSAT 2"]
    assert scales.poor_scores([(NPS, 7), (CSAT, 3), (CES, 4)]) == []


@pytest.mark.django_db
def test_the_database_counts_the_same_detractors_as_the_answers_say() -> None:
    customer = CustomerFactory()
    combinations = [(n, c, e) for n in (None, 6, 7) for c in (None, 2, 3) for e in (3, 4)]
    for nps, csat, ces in combinations:
        invitation = SurveyInvitation.objects.create(
            kind=SurveyKind.RELATIONSHIP, customer=customer, send_after=timezone.now()
        )
        SurveyResponse.objects.create(
            invitation=invitation,
            kind=invitation.kind,
            customer=customer,
            nps=nps,
            csat=csat,
            ces=ces,
        )
    in_python = {r.pk for r in SurveyResponse.objects.all() if r.is_detractor}
    in_database = set(
        SurveyResponse.objects.filter(scales.detractor()).values_list("pk", flat=True)
    )
    assert in_python == in_database
    assert 0 < len(in_database) < len(combinations)
