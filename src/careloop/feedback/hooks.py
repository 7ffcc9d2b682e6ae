"""What other domains may react to in the voice of the customer, without feedback knowing them.

Subscribers register in their AppConfig.ready(); tests/core/test_hooks.py lists who hears what.
"""

from careloop.core.hooks import Hook
from careloop.feedback.models import SurveyResponse

survey_answered: Hook[SurveyResponse] = Hook(
    "feedback.survey_answered",
    "A customer's survey answer was stored (once per invitation). After commit, so subscribers "
    "see it stored.",
    after_commit=True,
)
