"""An agent's lead confirms or overturns the agent's dispute of the coach's score of a reply;
overturned scores are corrections the next `careloop empathy train` learns from."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careloop.coaching.models import ScoreDisputeVerdict
from careloop.conversations.models import ReplyScoreDispute
from careloop.core.audit import record_audit
from careloop.core.permissions import Action, may
from careloop.people.models import User


def review_score_dispute(
    dispute: ReplyScoreDispute, *, by: User, outcome: str, note: str = ""
) -> ScoreDisputeVerdict:
    """Record the lead's verdict once; the agent who disputed never decides it (four eyes)."""
    if not may(by, Action.REVIEW_SCORE_DISPUTES, dispute):
        raise PermissionDenied("The agent's lead reviews a disputed score.")
    if outcome not in ScoreDisputeVerdict.Outcome.values:
        raise ValidationError("Confirm the coach's score or overturn it.")
    with transaction.atomic():
        locked = ReplyScoreDispute.objects.select_for_update().get(pk=dispute.pk)
        if ScoreDisputeVerdict.objects.filter(dispute=locked).exists():
            raise ValidationError("This dispute has already been reviewed.")
        verdict = ScoreDisputeVerdict.objects.create(
            dispute=locked, outcome=outcome, decided_by=by, note=note[:500]
        )
        record_audit(
            by,
            "coaching.reply_score_dispute_reviewed",
            locked,
            summary=f"{outcome}: {locked.mechanism} model {locked.model_level}, "
            f"agent {locked.agent_level}",
        )
    return verdict


def mark_corrections_learned(verdict_ids: Sequence[int], model_version: str) -> int:
    """Note which model version first learned these corrections; returns how many were new."""
    return ScoreDisputeVerdict.objects.filter(pk__in=verdict_ids, learned_by_model="").update(
        learned_by_model=model_version
    )
