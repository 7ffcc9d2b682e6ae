"""Reads for coaching, with the object-level rules: practice and reviews are private to the
person and their coach; there is no ranking of people anywhere."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet

from careloop.coaching.models import (
    MECHANISMS,
    CalibrationSession,
    CoachingPlan,
    Dispute,
    PracticeAttempt,
    PracticeReply,
    QAReview,
    Scenario,
    ScoreDisputeVerdict,
)
from careloop.conversations.coaching import Coaching
from careloop.conversations.models import Conversation, Message, ReplyScoreDispute, Status
from careloop.core.permissions import Action, Reach, can, holders, may, reach, restrict
from careloop.empathy.corrections import Correction
from careloop.empathy.rules import Flag
from careloop.people.models import User


def is_coach_of(coach: User, person: User) -> bool:
    """A person's coach is the lead of their team; team leads are coached by CX leaders
    (COACH_PEOPLE: team reach coaches the team, organisation reach coaches the team coaches)."""
    if coach.pk == person.pk:
        return False
    level = reach(coach, Action.COACH_PEOPLE)
    if level is Reach.TEAM:
        return coach.team_id is not None and coach.team_id == person.team_id
    return level is Reach.ORGANISATION and reach(person, Action.COACH_PEOPLE) is Reach.TEAM


def _coached_by(coach: User) -> QuerySet[User]:
    people = User.objects.filter(is_active=True).exclude(pk=coach.pk)
    level = reach(coach, Action.COACH_PEOPLE)
    if level is Reach.TEAM and coach.team_id is not None:
        return people.filter(team_id=coach.team_id)
    if level is Reach.ORGANISATION:
        team_coaches = holders(Action.COACH_PEOPLE, Reach.TEAM)
        return people.filter(pk__in=team_coaches.values("pk"))
    return User.objects.none()


def _sees_all_qa(viewer: User) -> bool:
    return reach(viewer, Action.SEE_QA_REVIEWS) is Reach.ORGANISATION


def coachees(coach: User) -> QuerySet[User]:
    """The people this person coaches, by name, with how much they have practised."""
    finished = Q(practice_attempts__completed_at__isnull=False)
    return (
        _coached_by(coach)
        .select_related("team")
        .annotate(
            practice_count=Count("practice_attempts", filter=finished),
            last_practised=Max("practice_attempts__completed_at"),
        )
        .order_by("full_name")
    )


# --- practice ---------------------------------------------------------------------------


def published_scenarios() -> QuerySet[Scenario]:
    return Scenario.objects.filter(status=Scenario.Status.PUBLISHED).order_by("title")


def all_scenarios() -> QuerySet[Scenario]:
    return Scenario.objects.select_related("created_by").order_by("status", "title")


def may_see_practice_of(viewer: User, person: User) -> bool:
    return viewer.pk == person.pk or is_coach_of(viewer, person)


def may_see_attempt(viewer: User, attempt: PracticeAttempt) -> bool:
    return may_see_practice_of(viewer, attempt.trainee)


def feedback_of(reply: PracticeReply) -> Coaching:
    """A stored practice reply as the inbox coach panel presents a draft."""
    walls = [
        Flag(flag.get("kind", ""), 0, 0, flag.get("text", ""), flag.get("prompt", ""))
        for flag in reply.flags
    ]
    return Coaching(
        levels=reply.levels,
        empathy=reply.empathy,
        need=reply.need,
        customer_distress=reply.customer_distress,
        walls=walls,
        suggestion=reply.suggestion,
    )


@dataclass(frozen=True)
class AttemptSummary:
    attempt: PracticeAttempt
    empathy: float
    mechanisms: dict[str, float]  # average level 0..2 per EPITOME mechanism


@dataclass(frozen=True)
class Progress:
    attempts: list[AttemptSummary]
    in_progress: list[PracticeAttempt]

    @property
    def first(self) -> AttemptSummary | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def latest(self) -> AttemptSummary | None:
        return self.attempts[0] if self.attempts else None


def progress_for(person: User) -> Progress:
    """Every finished attempt, newest first, with empathy and mechanism averages."""
    attempts = (
        PracticeAttempt.objects.filter(trainee=person)
        .select_related("scenario")
        .prefetch_related("replies")
        .order_by("-started_at", "-pk")
    )
    summaries = []
    unfinished = []
    for attempt in attempts:
        replies = list(attempt.replies.all())
        if not attempt.is_complete or not replies:
            unfinished.append(attempt)
            continue
        summaries.append(
            AttemptSummary(
                attempt=attempt,
                empathy=attempt.empathy or 0.0,
                mechanisms={
                    name: round(sum(getattr(r, name) for r in replies) / len(replies), 2)
                    for name in MECHANISMS
                },
            )
        )
    return Progress(attempts=summaries, in_progress=unfinished)


# --- QA reviews -------------------------------------------------------------------------


def may_see_reply_scores_of(viewer: User, agent: User) -> bool:
    """Whether the viewer may read the agent's private empathy scores, AutoQA's notes among them:
    the agent and the lead of their team (SEE_REPLY_SCORES), whoever else sees the review."""
    return may(viewer, Action.SEE_REPLY_SCORES, Message(author=agent))


def may_see_calibration(viewer: User, session: CalibrationSession) -> bool:
    return (
        viewer.pk == session.facilitator_id
        or session.reviewers.filter(pk=viewer.pk).exists()
        or _sees_all_qa(viewer)
    )


def may_see_review(viewer: User, review: QAReview) -> bool:
    if viewer.pk == review.reviewer_id:
        return True
    if review.calibration is not None:
        return review.calibration.is_revealed and may_see_calibration(viewer, review.calibration)
    if review.status == QAReview.Status.DRAFT:
        return False
    return may(viewer, Action.SEE_QA_REVIEWS, review)


def may_resolve_dispute(viewer: User, review: QAReview) -> bool:
    """The reviewer, the agent's lead or a CX leader; never the agent themselves."""
    return (
        can(viewer, Action.REVIEW_QUALITY)
        and viewer.pk != review.agent_id
        and may(viewer, Action.SEE_QA_REVIEWS, review)
    )


def _reviews() -> QuerySet[QAReview]:
    return QAReview.objects.filter(calibration__isnull=True).select_related(
        "agent", "reviewer", "rubric", "conversation"
    )


def reviews_of(agent: User) -> QuerySet[QAReview]:
    """Reviews shared with the agent, newest first."""
    return _reviews().filter(agent=agent).exclude(status=QAReview.Status.DRAFT)


def reviews_written_by(reviewer: User) -> QuerySet[QAReview]:
    return _reviews().filter(reviewer=reviewer)


def reviews_of_coachees(coach: User) -> QuerySet[QAReview]:
    """Reviews of the people this lead coaches, by date: deliberately never by score."""
    return (
        _reviews()
        .filter(agent__in=_coached_by(coach))
        .exclude(status=QAReview.Status.DRAFT)
        .order_by("-submitted_at", "-pk")
    )


def open_disputes_for(user: User) -> list[Dispute]:
    disputes = Dispute.objects.filter(outcome=Dispute.Outcome.OPEN).select_related(
        "review", "review__agent", "review__conversation", "raised_by"
    )
    return [dispute for dispute in disputes if may_resolve_dispute(user, dispute.review)]


def reviewable_conversations(user: User) -> QuerySet[Conversation]:
    """Recently solved conversations a reviewer may pick: their team's, or all for CX leaders."""
    conversations = (
        Conversation.objects.filter(
            status__in=(Status.SOLVED, Status.CLOSED),
            assignee__isnull=False,
            merged_into__isnull=True,
        )
        .select_related("assignee", "customer")
        .order_by("-solved_at", "-pk")
    )
    level = reach(user, Action.COACH_PEOPLE)
    if level is Reach.TEAM:
        conversations = conversations.filter(
            Q(team_id=user.team_id) | Q(assignee__team_id=user.team_id)
        )
    elif level is not Reach.ORGANISATION:
        return Conversation.objects.none()
    return conversations


def calibration_sessions_for(user: User) -> QuerySet[CalibrationSession]:
    sessions = CalibrationSession.objects.select_related("rubric", "facilitator")
    if _sees_all_qa(user):
        return sessions
    return sessions.filter(Q(facilitator=user) | Q(reviewers=user)).distinct()


@dataclass(frozen=True)
class CriterionSpread:
    name: str
    is_critical: bool
    ratings: list[tuple[str, str]]  # (reviewer, label)
    mean: float | None
    std: float | None
    low: int | None
    high: int | None
    not_applicable: int

    @property
    def range(self) -> int | None:
        return None if self.low is None or self.high is None else self.high - self.low


@dataclass(frozen=True)
class Spread:
    criteria: list[CriterionSpread]
    scores: list[tuple[str, float | None]]
    score_std: float | None
    score_range: float | None


def _std(values: list[float]) -> float | None:
    return round(statistics.pstdev(values), 2) if len(values) > 1 else None


def calibration_spread(session: CalibrationSession) -> Spread:
    """Per criterion: each reviewer's rating, mean, standard deviation and range."""
    reviews = list(
        session.reviews.exclude(status=QAReview.Status.DRAFT)
        .select_related("reviewer")
        .prefetch_related("ratings__criterion")
        .order_by("reviewer__full_name")
    )
    criteria = []
    for criterion in session.rubric.criteria.all():
        rated: list[tuple[str, str]] = []
        values: list[int] = []
        not_applicable = 0
        for review in reviews:
            rating = next(r for r in review.ratings.all() if r.criterion_id == criterion.pk)
            rated.append((review.reviewer.full_name, rating.label))
            if rating.is_na or rating.value is None:
                not_applicable += 1
            else:
                values.append(rating.value)
        criteria.append(
            CriterionSpread(
                name=criterion.name,
                is_critical=criterion.is_critical,
                ratings=rated,
                mean=round(statistics.fmean(values), 2) if values else None,
                std=_std([float(v) for v in values]),
                low=min(values) if values else None,
                high=max(values) if values else None,
                not_applicable=not_applicable,
            )
        )
    scores = [(review.reviewer.full_name, review.score) for review in reviews]
    numbers = [score for _, score in scores if score is not None]
    return Spread(
        criteria=criteria,
        scores=scores,
        score_std=_std(numbers),
        score_range=round(max(numbers) - min(numbers), 1) if numbers else None,
    )


# --- coaching plans ---------------------------------------------------------------------


def may_see_plan(viewer: User, plan: CoachingPlan) -> bool:
    return viewer.pk in (plan.person_id, plan.coach_id) or is_coach_of(viewer, plan.person)


def plans_for(user: User) -> QuerySet[CoachingPlan]:
    return (
        CoachingPlan.objects.filter(Q(person=user) | Q(coach=user))
        .select_related("person", "coach")
        .order_by("status", "next_check_in")
    )


# --- Disputed reply scores --------------------------------------------------------------


def score_disputes_to_review(user: User) -> QuerySet[ReplyScoreDispute]:
    """Disputes of the coach's scores waiting for this lead, oldest first."""
    return (
        restrict(ReplyScoreDispute.objects.all(), user, Action.REVIEW_SCORE_DISPUTES)
        .filter(verdict__isnull=True)
        .select_related("agent", "message", "message__conversation")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class ScoreCorrection:
    """An overturned score: the reply, the customer's words it answered, the right level."""

    verdict_id: int
    customer_text: str
    reply_text: str
    mechanism: str
    model_level: int
    level: int
    learned_by_model: str


def _customer_text_before(message: Message) -> str:
    latest = (
        Message.objects.filter(
            conversation_id=message.conversation_id,
            author_kind=Message.Author.CUSTOMER,
            created_at__lte=message.created_at,
        )
        .exclude(pk=message.pk)
        .order_by("-created_at", "-pk")
        .first()
    )
    return latest.body_text if latest else ""


def score_corrections() -> list[ScoreCorrection]:
    """Every overturned score, for training (not a list shown to anyone)."""
    verdicts = ScoreDisputeVerdict.objects.filter(
        outcome=ScoreDisputeVerdict.Outcome.OVERTURNED
    ).select_related("dispute", "dispute__message")
    return [
        ScoreCorrection(
            verdict_id=verdict.pk,
            customer_text=_customer_text_before(verdict.dispute.message),
            reply_text=verdict.dispute.message.body_text,
            mechanism=verdict.dispute.mechanism,
            model_level=verdict.dispute.model_level,
            level=verdict.dispute.agent_level,
            learned_by_model=verdict.learned_by_model,
        )
        for verdict in verdicts.order_by("pk")
    ]


def training_corrections() -> list[Correction]:
    """Overturned scores as the empathy engine's training reads them."""
    return [
        Correction(c.verdict_id, c.customer_text, c.reply_text, c.mechanism, c.level)
        for c in score_corrections()
    ]
