"""Team voice models: surveys, the idea box, 360° feedback and the roster."""

from careloop.pulse.models.feedback360 import (
    FeedbackAnswer,
    FeedbackRequest,
    FeedbackReviewer,
    FeedbackShare,
    Relationship,
)
from careloop.pulse.models.ideas import Idea, IdeaStatus
from careloop.pulse.models.roster import LeavingReason, RosterChange, RosterEvent
from careloop.pulse.models.surveys import (
    DEFAULT_MIN_COMMENT_GROUP,
    DEFAULT_MIN_GROUP,
    MIN_GROUP_FLOOR,
    Answer,
    Cadence,
    Comment,
    Invitation,
    Module,
    PrivacyMode,
    Question,
    QuestionKind,
    Response,
    Round,
    RoundParticipation,
    Survey,
    SurveyStatus,
)

__all__ = [
    "DEFAULT_MIN_COMMENT_GROUP",
    "DEFAULT_MIN_GROUP",
    "MIN_GROUP_FLOOR",
    "Answer",
    "Cadence",
    "Comment",
    "FeedbackAnswer",
    "FeedbackRequest",
    "FeedbackReviewer",
    "FeedbackShare",
    "Idea",
    "IdeaStatus",
    "Invitation",
    "LeavingReason",
    "Module",
    "PrivacyMode",
    "Question",
    "QuestionKind",
    "Relationship",
    "Response",
    "RosterChange",
    "RosterEvent",
    "Round",
    "RoundParticipation",
    "Survey",
    "SurveyStatus",
]
