"""Voice of the customer: surveys and answers, recovery of detractors, confidential concerns,
themes across what customers say, and milestone emails."""

from careloop.feedback.models.concerns import Concern, ConcernMessage
from careloop.feedback.models.emails import EmailDelivery, EmailOptOut, EmailRule
from careloop.feedback.models.recovery import CauseTag, RecoveryContact, RecoveryTask
from careloop.feedback.models.surveys import (
    SurveyInvitation,
    SurveyKind,
    SurveyLink,
    SurveyQuestion,
    SurveyResponse,
    SurveySettings,
)
from careloop.feedback.models.themes import Theme, ThemeAssignment, ThemeSource

__all__ = [
    "CauseTag",
    "Concern",
    "ConcernMessage",
    "EmailDelivery",
    "EmailOptOut",
    "EmailRule",
    "RecoveryContact",
    "RecoveryTask",
    "SurveyInvitation",
    "SurveyKind",
    "SurveyLink",
    "SurveyQuestion",
    "SurveyResponse",
    "SurveySettings",
    "Theme",
    "ThemeAssignment",
    "ThemeSource",
]
