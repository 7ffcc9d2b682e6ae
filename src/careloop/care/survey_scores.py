"""CSAT and NPS per conversation for the outcome report, from the voice-of-the-customer app."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from careloop.care.outcomes import SurveyScore
from careloop.feedback.selectors import survey_scores_by_conversation


def scores_from_feedback(conversation_ids: Sequence[int]) -> Mapping[int, SurveyScore]:
    return {
        conversation_id: SurveyScore(csat=csat, nps=nps)
        for conversation_id, (csat, nps) in survey_scores_by_conversation(conversation_ids).items()
    }
