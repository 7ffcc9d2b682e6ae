"""`restrict_shared`: rows every holder of an action sees alike, and nobody else sees."""

from __future__ import annotations

import pytest

from careloop.core.permissions import Action, Role, restrict_shared
from careloop.pulse.models import Idea
from careloop.pulse.services.ideas import submit_idea
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_holders_of_the_action_get_every_row_and_others_none() -> None:
    submit_idea(title="Quiet hours", body="No meetings before ten.", author=UserFactory())
    submit_idea(title="Fewer macros", body="They sound cold.", author=UserFactory(), anonymous=True)
    agent, customer = UserFactory(role=Role.AGENT), UserFactory(role=Role.CUSTOMER)
    inactive = UserFactory(role=Role.ADMIN, is_active=False)

    assert restrict_shared(Idea.objects.all(), agent, Action.USE_PULSE).count() == 2
    assert not restrict_shared(Idea.objects.all(), customer, Action.USE_PULSE).exists()
    assert not restrict_shared(Idea.objects.all(), inactive, Action.USE_PULSE).exists()
    assert not restrict_shared(Idea.objects.all(), agent, Action.ANSWER_IDEAS).exists()
