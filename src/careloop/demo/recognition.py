"""Demo recognition and playbook: kudos over recent months, success stories from demo
conversations in which customers said thank you, and a playbook of real-sounding articles.

Everything goes through the recognition and playbook services, with their clocks set to the
moments in the past that the demo conversations' own dates call for.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from careloop.conversations.models import Channel, Conversation, Message, Status
from careloop.conversations.services import conversations
from careloop.core import calendar
from careloop.core.permissions import Role
from careloop.people.models import User
from careloop.people.selectors import current_organisation
from careloop.playbook import selectors as playbook_selectors
from careloop.playbook import services as playbook
from careloop.playbook.models import Article, Visibility
from careloop.recognition import services as recognition
from careloop.recognition.models import Kudos, SuccessStory

KUDOS_COUNT = 36
KUDOS_DAYS = 90
SUGGESTED_STORIES = 6
SHARED_STORIES = 3
DEMO_AGENT_EMAIL_PREFIX = "sam.okafor@"

KUDOS_MESSAGES = {
    "Own the outcome": (
        "You followed the lost parcel all the way to the depot and kept the customer posted "
        "every day. That's ownership.",
        "You picked up the refund nobody had claimed and saw it through to the bank.",
        "Thank you for calling the carrier yourself instead of sending one more template.",
    ),
    "Listen first": (
        "You let the customer tell the whole story before offering anything, and it showed.",
        "You spotted that the real worry was the trip on Saturday, not the order number.",
        "The way you asked what mattered most to her turned that chat round.",
    ),
    "Make it right, then make it better": (
        "You sent the replacement and then raised the packaging problem with logistics.",
        "Fixing the order was great; writing up the pickup-point issue was even better.",
        "You made it right for the customer and updated the playbook the same afternoon.",
    ),
    "Learn without blame": (
        "Thanks for writing such an honest timeline in the refund review.",
        "You shared your near miss at stand-up so the rest of us could learn from it.",
        "Your review of the address bug focused on the tool, not on who clicked what.",
    ),
    "Be generous with trust": (
        "You gave the customer the benefit of the doubt on the missing item, and she wrote "
        "back to say she'd stay with us for life.",
        "Thanks for trusting the new starter with the tricky escalation and backing them up.",
        "You granted the goodwill credit without making the customer prove anything.",
    ),
}
DEMO_THANKS = (
    "It all arrived today and it's perfect. Thank you so much for your help!",
    "Thanks for sorting that out so quickly, you've been brilliant.",
    "Really appreciate you going the extra mile. Thanks a lot!",
    "Thank you for being so kind and patient with me, it made a hard week easier.",
)


@dataclass(frozen=True)
class DemoArticle:
    title: str
    category: str
    body: str
    public: bool = False
    review_in_days: int = 150
    second_version: str = ""


ARTICLES = (
    DemoArticle(
        "Parcel arrived damaged",
        "Damaged goods",
        "Say sorry first and mean it: the trip they planned may be at stake.\n\nSend a "
        "replacement the same day by express. The customer keeps the damaged item; never ask "
        "them to post it back.\n\nAsk for one photo only if the carrier needs it for a claim, "
        "and say why.",
        public=False,
        second_version="Send a replacement the same day by express, or a refund if they prefer.",
    ),
    DemoArticle(
        "Where is my order?",
        "Delivery",
        "Most orders arrive within 2–4 working days. Your tracking link is in the dispatch "
        "email.\n\nIf tracking has not moved for 3 working days, write to us and we will chase "
        "the carrier and send a replacement if it is lost.",
        public=True,
    ),
    DemoArticle(
        "Returns and exchanges",
        "Returns",
        "You have 60 days to return or exchange anything unused. Start a return from your "
        "order page and print the free label.\n\nExchanges for another size ship as soon as "
        "we scan your return.",
        public=True,
    ),
    DemoArticle(
        "When will my refund arrive?",
        "Billing",
        "We refund within one working day of receiving your return. Banks take 3–5 working "
        "days to show it; card refunds can take up to 10.",
        public=True,
        second_version="We refund within one working day of receiving your return. Banks take "
        "3–5 working days to show it.",
    ),
    DemoArticle(
        "Warranty repairs for tents and backpacks",
        "Repairs",
        "Our tents and backpacks have a five-year warranty. Send photos of the damage and we "
        "will repair it free, usually within two weeks, or replace it if we cannot.",
        public=True,
    ),
    DemoArticle(
        "Changing the delivery address",
        "Delivery",
        "Before dispatch: change it in the order screen. After dispatch: ask the carrier to "
        "redirect; if they can't, offer a free reship once the parcel returns.",
    ),
    DemoArticle(
        "Goodwill without asking",
        "Goodwill",
        "Every agent may grant up to €50 in refunds, credits or swaps without approval when it "
        "puts things right. Note why in the conversation; that is all.",
    ),
    DemoArticle(
        "A customer is very upset",
        "Difficult conversations",
        "Name the feeling before the fix: “That sounds really frustrating.” Then say what you "
        "will do and by when. Avoid policy language; explain the reason in plain words.",
    ),
    DemoArticle(
        "Invoices with a purchase order number",
        "Billing",
        "Business customers can ask for a new invoice with their PO number. Reissue it from the "
        "billing tool; the original invoice number stays the same.",
    ),
    DemoArticle(
        "Password reset email never arrives",
        "Account",
        "Check the spam folder first. If it is not there, we can resend the link or change the "
        "email address on the account after confirming the last order number.",
        public=True,
    ),
    DemoArticle(
        "Pickup point closed",
        "Delivery",
        "If the carrier's pickup point has closed, reroute the parcel to the customer's home "
        "address and check the carrier notices inbox for other affected orders.",
        review_in_days=-12,
    ),
)


def demo_recognition_exists() -> bool:
    return Kudos.objects.exists() or Article.objects.exists()


@transaction.atomic
def create_demo_recognition(seed: int = 7) -> None:
    """Create demo kudos, stories and playbook articles once; again, nothing changes."""
    if demo_recognition_exists():
        return
    chooser = random.Random(seed)
    staff = list(
        User.objects.filter(is_active=True, role__in=[Role.AGENT, Role.TEAM_LEAD]).order_by("pk")
    )
    if len(staff) < 2:
        return
    _kudos(chooser, staff)
    _stories(chooser)
    _articles(staff)


def _kudos(chooser: random.Random, staff: list[User]) -> None:
    values = {value.name: value for value in current_organisation().values.all()}
    if not values:
        return
    now = timezone.now()
    for _ in range(KUDOS_COUNT):
        giver, receiver = chooser.sample(staff, 2)
        name = chooser.choice(sorted(values))
        message = chooser.choice(KUDOS_MESSAGES.get(name, KUDOS_MESSAGES["Listen first"]))
        conversation = (
            Conversation.objects.filter(messages__author=receiver).order_by("-pk").first()
            if chooser.random() < 0.5
            else None
        )
        recognition.give_kudos(
            giver=giver,
            receiver=receiver,
            value=values[name],
            message=message,
            conversation=conversation,
            at=now - timedelta(days=chooser.uniform(0, KUDOS_DAYS)),
        )


def _stories(chooser: random.Random) -> None:
    candidates = Message.objects.filter(
        author_kind=Message.Author.CUSTOMER, body_text__icontains="thank"
    ).select_related("conversation")
    for message in candidates.order_by("-created_at")[:300]:
        if SuccessStory.objects.count() >= SUGGESTED_STORIES:
            break
        recognition.suggest_from_message(message, at=message.created_at)
    if SuccessStory.objects.count() < SUGGESTED_STORIES:
        _add_thanks_to_finished_conversations(chooser)
    _thank_the_demo_agent()
    now = timezone.now()
    stories = list(SuccessStory.objects.order_by("-created_at", "pk"))
    # Demo people have made-up addresses: no "share your story?" emails for them.
    for story in stories:
        recognition.claim_agent_notification(story)
    # The demo agent's own stories wait for their consent, so signing in as them shows it.
    shareable = [s for s in stories if not s.agent.email.startswith(DEMO_AGENT_EMAIL_PREFIX)]
    for story in shareable[:SHARED_STORIES]:
        evidence_at = story.evidence_message.created_at if story.evidence_message else now
        recognition.consent_to_story(
            story, by=story.agent, at=min(evidence_at + timedelta(hours=20), now)
        )


def _solved_with_replies() -> QuerySet[Conversation]:
    # Solved, not closed: a message on a closed conversation starts a new one.
    return (
        Conversation.objects.filter(status=Status.SOLVED, merged_into__isnull=True)
        .filter(messages__author_kind=Message.Author.AGENT)
        .distinct()
        .order_by("-solved_at", "-pk")
    )


def _write_thanks(conversation: Conversation, text: str) -> SuccessStory | None:
    """The customer writes back after the conversation was solved to say thank you, and the
    agent solves it again, as the conversation services record it."""
    now = timezone.now()
    last = conversation.messages.order_by("-created_at").first()
    at = (last.created_at if last else now) + timedelta(hours=2)
    if at + timedelta(minutes=10) >= now:
        return None
    thanks = conversations.receive_customer_message(
        conversation.customer,
        channel=Channel(conversation.channel),
        body_text=text,
        conversation=conversation,
        at=at,
    )
    agent = thanks.conversation.assignee
    conversations.change_status(
        thanks.conversation, Status.SOLVED, agent, at=at + timedelta(minutes=10)
    )
    return recognition.suggest_from_message(thanks, at=thanks.created_at)


def _add_thanks_to_finished_conversations(chooser: random.Random) -> None:
    for conversation in _solved_with_replies()[:20]:
        if SuccessStory.objects.count() >= SUGGESTED_STORIES:
            return
        _write_thanks(conversation, chooser.choice(DEMO_THANKS))


def _thank_the_demo_agent() -> None:
    """The demo agent's login shows a story waiting for their consent (when one of their
    conversations was solved: a small demo may have none, and gets no new conversation)."""
    agent = User.objects.filter(email__startswith=DEMO_AGENT_EMAIL_PREFIX).first()
    if agent is None or SuccessStory.objects.filter(agent=agent).exists():
        return
    text = (
        f"Hi {agent.first_name},\n\nEverything arrived in time for our trip. Thank you so "
        "much for going the extra mile, you were brilliant!"
    )
    for conversation in _solved_with_replies().filter(messages__author=agent)[:10]:
        if _write_thanks(conversation, text) is not None:
            return


def _articles(staff: list[User]) -> None:
    leads = [person for person in staff if person.role == Role.TEAM_LEAD] or staff
    today = calendar.today()
    for index, demo in enumerate(ARTICLES):
        owner = leads[index % len(leads)]
        article = playbook.create_article(
            playbook.ArticleDraft(
                title=demo.title,
                body=demo.body,
                category=demo.category,
                visibility=Visibility.PUBLIC if demo.public else Visibility.INTERNAL,
                review_by=today + timedelta(days=demo.review_in_days),
            ),
            by=owner,
        )
        if demo.second_version:
            paragraphs = demo.body.split("\n\n")
            paragraphs[1 if len(paragraphs) > 1 else 0] = demo.second_version
            body = "\n\n".join(paragraphs)
            playbook.edit_article(
                article,
                playbook.ArticleDraft(
                    title=article.title,
                    body=body,
                    category=article.category,
                    visibility=article.visibility,
                    owner=owner,
                    review_by=article.review_by,
                    change_note="Updated after a learning review",
                ),
                by=owner,
            )
    _promote_a_demo_conversation(leads[0])


def _promote_a_demo_conversation(lead: User) -> None:
    conversation = (
        Conversation.objects.filter(
            status__in=["solved", "closed"], messages__author_kind=Message.Author.AGENT
        )
        .filter(subject__icontains="damaged")
        .order_by("-pk")
        .first()
    )
    if conversation is None:
        return
    draft = playbook_selectors.draft_from_conversation(conversation)
    playbook.create_article(
        playbook.ArticleDraft(
            title=f"From a real case: {draft.title}"[:200],
            body=draft.body + "Replace first, ask questions later.",
            category="Damaged goods",
        ),
        by=lead,
        source_conversation=conversation,
    )
