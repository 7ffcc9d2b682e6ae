"""Where pulse answers wait, so that no storage order says who answered when.

Databases keep arrival order even without an increasing key (see `core.shuffled_storage`). So
an answer first joins the round's pool, which is rewritten in random order on every answer; once
the pool holds the minimum group it moves to `Response`, `Answer` and `Comment` as one shuffled
batch, and when the round closes every row of the round is rewritten in random order. Callers
hold the round's lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from careloop.core import shuffled_storage
from careloop.pulse.models import Answer, Comment, PendingResponse, Response, Round


@dataclass(frozen=True)
class _Form:
    team_id: int | None
    scores: dict[int, int]


@dataclass(frozen=True)
class _Comment:
    question_id: int
    team_id: int | None
    text: str


def _pool(pulse_round: Round) -> QuerySet[PendingResponse]:
    return PendingResponse.objects.filter(round=pulse_round)


@dataclass(frozen=True)
class PooledAnswer:
    """One person's answers as they join the pool: their team as invited, and nothing else."""

    team_id: int | None
    scores: dict[int, int]
    comments: dict[int, str]


def add_answers(pulse_round: Round, answers: list[PooledAnswer]) -> None:
    """Put answers in the pool; move the pool on once it holds the minimum group."""
    waiting = [
        PendingResponse(
            round=pulse_round, team_id=row.team_id, answers=row.answers, comments=row.comments
        )
        for row in _pool(pulse_round)
    ]
    waiting += [
        PendingResponse(
            round=pulse_round,
            team_id=answer.team_id,
            answers={str(question): value for question, value in answer.scores.items()},
            comments={str(question): text for question, text in answer.comments.items()},
        )
        for answer in answers
    ]
    _pool(pulse_round).delete()
    if len(waiting) >= pulse_round.survey.min_group_size:
        _write(pulse_round, *_unpack(waiting))
    else:
        shuffled_storage.shuffle(waiting)
        PendingResponse.objects.bulk_create(waiting)


def settle(pulse_round: Round) -> None:
    """At close: whatever still waits joins the round, and all its rows are rewritten shuffled."""
    waiting = list(_pool(pulse_round))
    forms, comments = _unpack(waiting)
    stored: dict[object, _Form] = {}
    for response_id, team_id, question_id, value in Answer.objects.filter(
        response__round=pulse_round
    ).values_list("response_id", "response__team_id", "question_id", "value"):
        stored.setdefault(response_id, _Form(team_id, {})).scores[question_id] = value
    forms += list(stored.values())
    comments += [
        _Comment(question_id, team_id, text)
        for question_id, team_id, text in Comment.objects.filter(round=pulse_round).values_list(
            "question_id", "team_id", "text"
        )
    ]
    _pool(pulse_round).delete()
    Response.objects.filter(round=pulse_round).delete()
    Comment.objects.filter(round=pulse_round).delete()
    _write(pulse_round, forms, comments)


def _unpack(waiting: Iterable[PendingResponse]) -> tuple[list[_Form], list[_Comment]]:
    forms: list[_Form] = []
    comments: list[_Comment] = []
    for row in waiting:
        forms.append(
            _Form(
                row.team_id, {int(question): int(value) for question, value in row.answers.items()}
            )
        )
        comments += [
            _Comment(int(question), row.team_id, str(text))
            for question, text in row.comments.items()
        ]
    return forms, comments


def _write(pulse_round: Round, forms: list[_Form], comments: list[_Comment]) -> None:
    """Insert responses, their answers and the comments, each table in its own random order."""
    shuffled_storage.shuffle(forms)
    responses = [Response(round=pulse_round, team_id=form.team_id) for form in forms]
    Response.objects.bulk_create(responses)
    answers = [
        Answer(response=response, question_id=question, value=value)
        for response, form in zip(responses, forms, strict=True)
        for question, value in form.scores.items()
    ]
    shuffled_storage.shuffle(answers)
    Answer.objects.bulk_create(answers)
    shuffled_storage.shuffle(comments)
    Comment.objects.bulk_create(
        Comment(round=pulse_round, question_id=c.question_id, team_id=c.team_id, text=c.text)
        for c in comments
    )
