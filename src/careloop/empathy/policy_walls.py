"""Policy walls: a reply that refuses by pointing at internal process, the system, or the
agent's fear of blame, instead of solving. Each flag comes with what an empowered reply does.

Coaching, never blocking: the agent sees the note next to the draft and decides.
"""

from __future__ import annotations

from careloop.empathy.rules import Flag, Rule, apply_rules, rule

EMPOWERED_POLICY = (
    "Say what you can do: offer the swap or a fix within policy, or use your goodwill "
    "allowance. If a rule truly stands, explain it in the customer's terms, not the rulebook's."
)
EMPOWERED_SYSTEM = (
    "The system is our problem, not the customer's: offer the swap or a manual workaround, "
    "or escalate and tell them who will come back to them and when."
)
EMPOWERED_BLAME = (
    "Solving this is your call and your lead backs goodwill decisions: offer the swap or use "
    "the goodwill allowance, and let the inventory or paperwork follow."
)
EMPOWERED_OWNERSHIP = (
    "Own it for the customer: 'Let me sort this out for you.' If someone else must act, hand "
    "over warmly with a name and a time."
)
EMPOWERED_REFUSAL = (
    "Pair the no with what you can do: an alternative, a partial fix, or a next step with a time."
)

EMPOWERED_RULEBOOK = (
    "Don't send the customer to the rulebook: say in your own words what the rule means for "
    "them and what you can do within it."
)
EMPOWERED_NO_BLAME = (
    "Leave out who got it wrong: say what you will do now, and if a step prevents a repeat, "
    "offer it as a tip, not a verdict."
)
EMPOWERED_DEFLECTION = (
    "Take it off their plate: contact the courier, maker or bank yourself and say when you "
    "will come back with an answer."
)

_NEGATION = (
    r"\b(?:not|no|never|can't|cannot|can not|won't|unable|isn't|doesn't|don't|couldn't|"
    r"wouldn't|aren't)\b|n't\b"
)
# A refusal that already offers a way forward is not a wall.
_ALTERNATIVE = (
    r"\b(?:instead|alternatively|what (?:i|we) can do|(?:i|we) can (?:offer|arrange|send|give|"
    r"replace|swap|refund|exchange|do)|(?:i|we)(?:'ll| will) (?:send|arrange|replace|swap|refund|"
    r"exchange|sort|fix|get)|let me (?:see|check|find|sort|fix|arrange|get|offer))\b"
)
_WE_CANNOT = (
    r"\b(?:i|we)(?:'re|'m| are| am)? ?(?:can't|cannot|can not|are not able to|aren't able to|"
    r"am not able to|'m not able to|not able to|are unable to|am unable to|'m unable to|unable to|"
    r"won't be able to|are not allowed to|aren't allowed to|am not allowed to|'m not allowed to|"
    r"not allowed to|are not permitted to|aren't permitted to)"
)
_RULEBOOK = (
    r"(?:terms(?: and conditions| of (?:sale|service|business))?|t ?& ?cs?|conditions|"
    r"(?:returns?|refunds?|cancellation|delivery|shipping|warranty|company|store) polic(?:y|ies)|"
    r"polic(?:y|ies)|rules|procedures?|guidelines|agreement|contract)"
)
_SECTION = r"(?:section|clause|paragraph|article|point|§) ?\d+(?:\.\d+)*"
_THIRD_PARTY = (
    r"(?:courier|carrier|delivery (?:company|firm|service|driver)|manufacturer|maker|brand|"
    r"bank|card (?:issuer|provider|company)|payment provider|paypal|seller|supplier|retailer|"
    r"post office|royal mail|dhl|ups|usps|fedex|hermes|evri|dpd|another department|"
    r"(?:the )?relevant (?:department|team))"
)
_SOLVING_VERBS = (
    r"(?:do|offer|give|issue|make|process|accept|refund|replace|swap|exchange|change|send|"
    r"return|cancel|waive|honou?r|credit|reimburse|compensate|override|help you with)"
)

POLICY_WALL_RULES: tuple[Rule, ...] = (
    # Fear of blame or of the numbers.
    rule(
        "blame-fear",
        r"\bi(?:'d|'ll| would| will| could| might)? (?:get|be|end up) (?:in trouble|blamed|"
        r"written up|fired|disciplined|held (?:responsible|accountable|liable))\b",
        EMPOWERED_BLAME,
    ),
    rule(
        "blame-fear",
        r"\b(?:it|that|this)(?:'d| would| will|'ll)? (?:show|appear|come) (?:up )?(?:on|in) "
        r"(?:our|my|the) (?:inventory|numbers|stats|figures|books|stock(?: count)?|report)\b",
        EMPOWERED_BLAME,
    ),
    rule(
        "blame-fear",
        r"\b(?:more than my job'?s worth|(?:i|we) (?:would|'d) (?:have to|need to) answer for)\b",
        EMPOWERED_BLAME,
    ),
    # "That's our policy", "per company policy ... can't", "policy doesn't allow".
    rule(
        "policy",
        r"\b(?:that|it|this)(?:'s| is) (?:just |simply |strictly |unfortunately |against )?"
        r"(?:our|the|company|store) (?:polic(?:y|ies)|rules?|procedure)\b",
        EMPOWERED_POLICY,
    ),
    rule(
        "policy",
        r"\b(?:our|the|company|store) (?:polic(?:y|ies)|rules?|procedures?|guidelines?) "
        r"(?:doesn't|does not|don't|do not|won't|will not|say|says|states?|requires?|prevents?|"
        r"forbids?|prohibits?)\b",
        EMPOWERED_POLICY,
        requires=_NEGATION + r"|prevents?|forbids?|prohibits?|only",
    ),
    rule(
        "policy",
        r"\b(?:per|according to|due to|under|against|because of) (?:our|the|company|store) "
        r"(?:polic(?:y|ies)|rules?|procedures?|guidelines?|terms)\b",
        EMPOWERED_POLICY,
        requires=_NEGATION,
        unless=_ALTERNATIVE,
    ),
    # Sending the customer to the rulebook: "please refer to section 4.2 of our terms".
    rule(
        "policy",
        r"\b(?:please )?(?:refer to|see|consult|check|read|review|look at) (?:(?:our|the) )?"
        + _SECTION
        + r"(?: of (?:our|the) "
        + _RULEBOOK
        + r")?",
        EMPOWERED_RULEBOOK,
        unless=_ALTERNATIVE,
    ),
    rule(
        "policy",
        r"\b(?:please )?(?:refer to|consult|read|review|check) (?:our|the) " + _RULEBOOK + r"\b",
        EMPOWERED_RULEBOOK,
        unless=_ALTERNATIVE,
    ),
    rule(
        "policy",
        r"\b(?:as|which is|which was|this is|that is) (?:clearly )?(?:stated|set out|outlined|"
        r"explained|laid out|written|specified|described) (?:in|by|under) (?:"
        + _SECTION
        + r" of )?(?:our|the) "
        + _RULEBOOK
        + r"\b|\b"
        + _SECTION
        + r" of (?:our|the) "
        + _RULEBOOK
        + r"\b",
        EMPOWERED_RULEBOOK,
    ),
    rule(
        "policy",
        r"\b(?:as per|in line with|in accordance with|in keeping with) (?:our|the|company|store) "
        + _RULEBOOK
        + r"\b",
        EMPOWERED_POLICY,
        requires=_NEGATION + r"|\bonly\b|\bmust\b|\brequired?\b|non-refundable|ineligible|"
        r"not eligible|\brefer\b",
        unless=_ALTERNATIVE,
    ),
    rule("policy", r"\brules are rules\b", EMPOWERED_POLICY),
    rule("policy", r"\bi don'?t make the rules\b", EMPOWERED_POLICY),
    # The system as the reason.
    rule(
        "system",
        r"\b(?:the|our) (?:system|computer|software|till|tool|platform)(?: just)? "
        r"(?:doesn't|does not|won't|will not|can't|cannot|isn't set up to|is not set up to) "
        r"(?:allow|let|permit|accept|do)\b",
        EMPOWERED_SYSTEM,
    ),
    rule(
        "system",
        r"\b(?:there'?s|there is) no (?:way|option|button|field) (?:in|on) (?:the|our) "
        r"(?:system|computer|software)\b",
        EMPOWERED_SYSTEM,
    ),
    # Handing the problem away.
    rule(
        "ownership",
        r"\b(?:(?:that|it|this)(?:'s| is) )?not (?:my|our) (?:job|department|responsibility|"
        r"problem|call|area)\b",
        EMPOWERED_OWNERSHIP,
    ),
    rule(
        "ownership",
        r"\b(?:my hands are tied|(?:it'?s|it is) out of my hands|above my pay ?grade)\b",
        EMPOWERED_OWNERSHIP,
    ),
    rule(
        "ownership",
        r"\b(?:there'?s|there is) nothing (?:more )?(?:i|we) can do\b",
        EMPOWERED_OWNERSHIP,
        unless=_ALTERNATIVE,
    ),
    rule(
        "ownership",
        r"\b(?:management|my manager|head office|corporate|my boss|the warehouse)"
        r" (?:won't|will not|doesn't|does not|wouldn't) (?:let|allow)\b",
        EMPOWERED_OWNERSHIP,
    ),
    # Blaming the customer in a reply to them.
    rule(
        "blames-customer",
        r"\byou (?:should|ought to|could|would|must) (?:have|'ve) (?:read|checked|contacted|"
        r"ordered|noticed|kept|followed|told|looked|measured|tracked|chosen|selected)\b|"
        r"\bif you had (?:read|checked|followed|ordered|contacted|kept|looked|measured)\b|"
        r"\byou (?:failed|forgot|neglected|didn't bother|did not bother) to\b|"
        r"\byou must have (?:entered|typed|selected|chosen|clicked|ordered|misread)\b|"
        r"\b(?:it|that|this)(?:'s| is| was) (?:your (?:own )?(?:responsibility|fault|mistake|"
        r"problem)|on you)\b|\b(?:user|customer) error\b",
        EMPOWERED_NO_BLAME,
    ),
    # Deflection: handing the customer's problem to someone else for them to chase.
    rule(
        "deflection",
        r"\b(?:please|you(?:'ll| will)? (?:need|have) to|you (?:can|should|must|may want to)|"
        r"i(?:'d| would) (?:suggest|recommend|advise)(?: that you| you)?(?: to)?) (?:contact|call|"
        r"ring|email|get in touch with|take (?:it|this|that) up with|speak to|talk to|reach out "
        r"to|raise (?:it|this) with) (?:the |your |them )?" + _THIRD_PARTY + r"\b",
        EMPOWERED_DEFLECTION,
    ),
    rule(
        "deflection",
        r"\b(?:that|this|it)(?:'s| is) (?:a matter for |up to |one for |down to )?(?:the |your )?"
        + _THIRD_PARTY
        + r"(?:'s)?(?: (?:issue|problem|responsibility|matter|fault))?\b(?= ?[.,;!]| now| to)",
        EMPOWERED_DEFLECTION,
        requires=r"\b(?:issue|problem|responsibility|matter|fault|up to|down to|one for)\b",
    ),
    # A bare "we can't refund/swap/..." with no way forward in the same sentence.
    rule(
        "refusal",
        _WE_CANNOT + r" " + _SOLVING_VERBS + r"\b",
        EMPOWERED_REFUSAL,
        unless=_ALTERNATIVE,
    ),
)


def find_policy_walls(reply_text: str) -> list[Flag]:
    """Spans of a draft reply that refuse by process, system or fear of blame, send the
    customer to the rulebook, blame them, or hand their problem to someone else."""
    return apply_rules(reply_text, POLICY_WALL_RULES)
