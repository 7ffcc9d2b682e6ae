from __future__ import annotations

import pytest
from django.utils import timezone

from careloop.demo.organisation import create_demo_organisation
from careloop.playbook import selectors as playbook_selectors
from careloop.playbook.models import Article, Visibility
from careloop.recognition.models import Kudos, StoryStatus, SuccessStory
from tests.demo.shared import CONVERSATIONS
from tests.fixtures.demo import BuiltDemo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_demo_kudos_span_the_values_over_recent_months(demo: BuiltDemo) -> None:
    assert Kudos.objects.count() == 36
    assert Kudos.objects.values("value_name").distinct().count() == 5
    oldest = Kudos.objects.order_by("created_at").first()
    assert oldest is not None and (timezone.now() - oldest.created_at).days >= 30


def test_demo_stories_rest_on_customer_thanks_some_shared_some_waiting(demo: BuiltDemo) -> None:
    stories = SuccessStory.objects.all()
    assert stories.filter(status=StoryStatus.SHARED).count() >= 2
    assert stories.filter(status=StoryStatus.AWAITING_CONSENT).exists()
    for story in stories:
        assert story.evidence_message is not None
        assert story.customer_words == story.evidence_message.body_text
        assert story.evidence_message.conversation_id == story.conversation_id


def test_demo_playbook_has_public_stale_and_revised_articles(demo: BuiltDemo) -> None:
    assert 10 <= Article.objects.count() <= 15
    assert Article.objects.filter(visibility=Visibility.PUBLIC).count() >= 4
    assert playbook_selectors.stale_articles().exists()
    assert Article.objects.filter(version_number__gt=1).exists()
    hits = playbook_selectors.search("the shop where I collect parcels is shut")
    assert hits and hits[0].article.title == "Pickup point closed"


def test_demo_recognition_is_created_once(demo: BuiltDemo) -> None:
    counts = (Kudos.objects.count(), SuccessStory.objects.count(), Article.objects.count())
    create_demo_organisation(conversations=CONVERSATIONS)
    assert (Kudos.objects.count(), SuccessStory.objects.count(), Article.objects.count()) == counts


def test_the_demo_agents_stories_wait_for_their_consent(demo: BuiltDemo) -> None:
    from datetime import timedelta

    from careloop.conversations.models import Conversation, Status

    stories = SuccessStory.objects.filter(agent__email__startswith="sam.okafor@")
    assert not stories.exclude(status=StoryStatus.AWAITING_CONSENT).exists()
    solved_a_while_ago = Conversation.objects.filter(
        status=Status.SOLVED,
        messages__author__email__startswith="sam.okafor@",
        solved_at__lt=timezone.now() - timedelta(hours=3),
    )
    if solved_a_while_ago.exists():
        assert stories.exists()
