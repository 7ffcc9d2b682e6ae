"""Every dashboard metric with its definition, shown one click away and exported in the CSV."""

from __future__ import annotations

from careloop.insights.selectors import ACTIVE_CUSTOMER_DAYS

# key -> (label, unit, definition)
METRICS: dict[str, tuple[str, str, str]] = {
    "csat": (
        "CSAT",
        "%",
        "Answers rated 4 or 5 ÷ all CSAT answers (1–5) × 100, for surveys sent in the period.",
    ),
    "csat_response_rate": (
        "CSAT response rate",
        "%",
        "CSAT answers ÷ post-conversation surveys sent in the period × 100.",
    ),
    "ces": (
        "CES",
        "mean 1–7",
        "Mean answer to “they made it easy to handle my issue” (1 strongly disagree … 7"
        " strongly agree); higher is easier.",
    ),
    "ces_easy": ("CES, easy", "%", "CES answers of 5–7 ÷ all CES answers × 100."),
    "ces_response_rate": (
        "CES response rate",
        "%",
        "CES answers ÷ post-conversation surveys sent × 100.",
    ),
    "nps": (
        "NPS",
        "−100…100",
        "% promoters (9–10) − % detractors (0–6) of NPS answers; passives (7–8) count "
        "in the total.",
    ),
    "nps_response_rate": (
        "NPS response rate",
        "%",
        "NPS answers ÷ surveys that asked NPS (relationship surveys sent, plus post-"
        "conversation surveys answered with NPS) × 100.",
    ),
    "response_rate": (
        "Survey response rate",
        "%",
        "Surveys answered ÷ surveys sent in the period × 100 (by the day the survey was sent).",
    ),
    "first_response_hours": (
        "First response time (calendar)",
        "hours",
        "Mean time from the customer's first message to the first public reply by an "
        "agent, counted by the day of that reply; merged conversations are left out.",
    ),
    "first_response_business_hours": (
        "First response time (business)",
        "business hours",
        "As above, counting only the organisation's opening hours (holidays excluded).",
    ),
    "resolution_hours": (
        "Resolution time (calendar)",
        "hours",
        "Mean time from creation to the latest solve, for conversations first solved in"
        " the period and finished now; on-hold time is excluded from the business "
        "figure only.",
    ),
    "resolution_business_hours": (
        "Resolution time (business)",
        "business hours",
        "As above, in business hours, with time on hold excluded.",
    ),
    "sla_attainment": (
        "SLA attainment",
        "%",
        "Conversations first solved in the period with an SLA whose targets (first "
        "response, next responses, resolution) were never breached ÷ those with an SLA "
        "× 100.",
    ),
    "reopen_rate": (
        "Reopen rate",
        "%",
        "Conversations first solved in the period that were reopened at least once ÷ "
        "conversations first solved in the period × 100.",
    ),
    "one_touch_rate": (
        "One-touch resolution",
        "%",
        "Conversations first solved in the period with exactly one public agent reply "
        "and no reopen ÷ conversations first solved × 100 (zero-reply solves do not "
        "count as one-touch).",
    ),
    "recovery_rate": (
        "Recovery rate of detractors",
        "%",
        "Detractor answers (NPS 0–6, CSAT 1–2 or CES 1–3) whose recovery task closed as"
        " recovered ÷ detractor answers, for surveys sent in the period.",
    ),
    "retention": (
        "Customer retention",
        "%",
        "(E − N) ÷ S × 100. A customer is active on a day when they started a "
        f"conversation in the {ACTIVE_CUSTOMER_DAYS} days up to it. S = active the day "
        "before the period, E = active on its last day, N = active at the end but not "
        "at the start (new, or back after a gap).",
    ),
    "goodwill_amount": (
        "Goodwill investment",
        "currency",
        "Sum of gestures granted within allowance or approved in the period, by the day"
        " granted; swaps are booked at no cost. Declined and waiting requests are left "
        "out.",
    ),
    "goodwill_count": ("Goodwill gestures", "count", "Gestures granted or approved in the period."),
    "goodwill_csat": (
        "CSAT after goodwill",
        "%",
        "As CSAT, counting only answers about conversations that received a granted or "
        "approved gesture; compare it with CSAT over all conversations.",
    ),
    "goodwill_nps": (
        "NPS after goodwill",
        "−100…100",
        "As NPS, counting only answers about conversations that received a granted or "
        "approved gesture.",
    ),
    "conversations_created": (
        "Conversations",
        "count",
        "Conversations started in the period (merged ones are left out).",
    ),
}
