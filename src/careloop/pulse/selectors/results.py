"""Reads of pulse results: only closed rounds, only groups the anonymity rules let through.

Every figure a page, filter or export shows comes from `survey_reports`, which decides once per
round which groups are visible (see `careloop.pulse.anonymity`), so no two views disagree.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from careloop.core import calendar
from careloop.core.permissions import Action, Reach, reach, reaches_team
from careloop.core.scales import NPS
from careloop.empathy.themes import Theme, find_themes
from careloop.people.models import Team, User
from careloop.pulse.anonymity import filter_allowed, visible_groups, withheld_for_membership_change
from careloop.pulse.models import (
    Answer,
    Comment,
    Invitation,
    Module,
    PendingResponse,
    Question,
    QuestionKind,
    Round,
    Survey,
)

ORGANISATION = "organisation"
LOW_MEAN = 4.5
LOW_FAVOURABLE = 60
PS_BINS = ("1–2", "2–3", "3–4", "4–5", "5–6", "6–7")


@dataclass(frozen=True)
class ItemResult:
    question: Question
    answers: int
    mean: float  # agreement items after reverse scoring; 0–10 items as answered
    distribution: tuple[int, ...]  # how many gave each raw value, lowest first
    favourable: int  # per cent agreeing (scored 5–7), or promoters for 0–10 items

    @property
    def scale(self) -> tuple[int, ...]:
        return (
            tuple(range(1, 8)) if self.question.kind == QuestionKind.AGREEMENT else tuple(range(11))
        )

    @property
    def bars(self) -> list[tuple[int, int]]:
        return list(zip(self.scale, self.distribution, strict=True))

    @property
    def is_low(self) -> bool:
        if self.question.kind == QuestionKind.AGREEMENT:
            return self.mean < LOW_MEAN or self.favourable < LOW_FAVOURABLE
        return False


@dataclass(frozen=True)
class Enps:
    score: int
    promoters: int
    passives: int
    detractors: int
    answers: int


@dataclass(frozen=True)
class GroupResult:
    key: str
    label: str
    responses: int
    invited: int
    items: list[ItemResult]
    psych_safety: float | None
    psych_safety_bins: tuple[int, ...]
    engagement: float | None
    enps: Enps | None
    comments_reportable: bool

    @property
    def participation(self) -> int:
        return round(100 * self.responses / self.invited) if self.invited else 0

    @property
    def low_items(self) -> list[ItemResult]:
        return [item for item in self.items if item.is_low]

    @property
    def ps_bars(self) -> list[tuple[str, int]]:
        return list(zip(PS_BINS, self.psych_safety_bins, strict=True))


@dataclass(frozen=True)
class Withheld:
    label: str
    reason: str


@dataclass
class RoundReport:
    round: Round
    invited: int
    answered: int
    team_counts: dict[int | None, int]
    visible_teams: set[int]
    comment_teams: set[int]
    organisation_visible: bool
    organisation_comments: bool
    results: dict[str, GroupResult] = field(default_factory=dict)
    withheld: list[Withheld] = field(default_factory=list)
    _rows: dict[object, tuple[int | None, dict[int, int]]] = field(default_factory=dict)

    @property
    def participation(self) -> int:
        return round(100 * self.answered / self.invited) if self.invited else 0


def enps_of(values: list[int]) -> Enps | None:
    """eNPS = % promoters (9–10) − % detractors (0–6), passives counted in the base."""
    if not values:
        return None
    promoters = sum(1 for value in values if NPS.is_good(value))
    detractors = sum(1 for value in values if NPS.is_poor(value))
    total = len(values)
    return Enps(
        score=round(100 * (promoters - detractors) / total),
        promoters=round(100 * promoters / total),
        passives=round(100 * (total - promoters - detractors) / total),
        detractors=round(100 * detractors / total),
        answers=total,
    )


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _group_result(
    key: str,
    label: str,
    rows: Iterable[dict[int, int]],
    questions: list[Question],
    invited: int,
    comments_reportable: bool,
) -> GroupResult:
    rows = list(rows)
    items: list[ItemResult] = []
    ps_scores: list[float] = []
    engagement_scores: list[float] = []
    enps_values: list[int] = []
    for question in questions:
        if question.kind == QuestionKind.COMMENT:
            continue
        values = [row[question.pk] for row in rows if question.pk in row]
        if not values:
            continue
        if question.kind == QuestionKind.AGREEMENT:
            scored = [question.scored(value) for value in values]
            distribution = tuple(values.count(value) for value in range(1, 8))
            favourable = round(100 * sum(1 for v in scored if v >= 5) / len(scored))
        else:
            scored = values
            distribution = tuple(values.count(value) for value in range(11))
            favourable = round(100 * sum(1 for v in values if NPS.is_good(v)) / len(values))
        items.append(
            ItemResult(
                question, len(values), round(sum(scored) / len(scored), 2), distribution, favourable
            )
        )
    ps_items = [q for q in questions if q.module == Module.PSYCH_SAFETY]
    eng_items = [q for q in questions if q.module == Module.ENGAGEMENT]
    enps_items = [q for q in questions if q.module == Module.ENPS]
    for row in rows:
        ps = [q.scored(row[q.pk]) for q in ps_items if q.pk in row]
        if ps:
            ps_scores.append(sum(ps) / len(ps))
        eng = [q.scored(row[q.pk]) for q in eng_items if q.pk in row]
        if eng:
            engagement_scores.append(sum(eng) / len(eng))
        enps_values += [row[q.pk] for q in enps_items if q.pk in row]
    bins = [0] * len(PS_BINS)
    for score in ps_scores:
        bins[min(int(score) - 1, len(PS_BINS) - 1)] += 1
    return GroupResult(
        key=key,
        label=label,
        responses=len(rows),
        invited=invited,
        items=items,
        psych_safety=_mean(ps_scores),
        psych_safety_bins=tuple(bins),
        engagement=_mean(engagement_scores),
        enps=enps_of(enps_values),
        comments_reportable=comments_reportable,
    )


def _pending_scores(pending: PendingResponse) -> dict[int, int]:
    """Answers of a round past its end that the schedule has not closed yet wait in the pool."""
    return {int(question): int(value) for question, value in pending.answers.items()}


def _pending_comments(pulse_round: Round, team_ids: list[int] | None) -> list[str]:
    pool = PendingResponse.objects.filter(round=pulse_round)
    if team_ids is not None:
        pool = pool.filter(team_id__in=team_ids)
    return [str(text) for pending in pool for text in pending.comments.values()]


def team_key(team_id: int) -> str:
    return f"team-{team_id}"


def closed_rounds(survey: Survey) -> list[Round]:
    today = calendar.today()
    return [r for r in survey.rounds.order_by("number") if r.is_closed(today)]


def survey_reports(survey: Survey) -> list[RoundReport]:
    """Every closed round with what may be shown of it, oldest first."""
    k, k_comments = survey.min_group_size, survey.min_comment_group
    questions = list(survey.questions.all())
    team_names = dict(Team.objects.values_list("pk", "name"))
    # Keys: a team id, None for people without a team, or ORGANISATION.
    last_reported: dict[int | str | None, set[int]] = {}
    reports: list[RoundReport] = []
    for pulse_round in closed_rounds(survey):
        members: dict[int | None, set[int]] = defaultdict(set)
        everyone: set[int] = set()
        for person_id, team_id in Invitation.objects.filter(round=pulse_round).values_list(
            "person_id", "team_id"
        ):
            members[team_id].add(person_id)
            everyone.add(person_id)
        rows: dict[object, tuple[int | None, dict[int, int]]] = {}
        for response_id, team_id, question_id, value in Answer.objects.filter(
            response__round=pulse_round
        ).values_list("response_id", "response__team_id", "question_id", "value"):
            rows.setdefault(response_id, (team_id, {}))[1][question_id] = value
        for pending in PendingResponse.objects.filter(round=pulse_round):
            rows[pending.pk] = (pending.team_id, _pending_scores(pending))
        counts: dict[int | None, int] = dict.fromkeys(members, 0)
        for answered_team, _ in rows.values():
            counts[answered_team] = counts.get(answered_team, 0) + 1
        guarded = {
            team_id
            for team_id in counts
            if withheld_for_membership_change(last_reported.get(team_id), members[team_id], k)
        }
        never_alone: set[int | None] = {None, *guarded}
        if not survey.reports_by_team:
            never_alone |= set(counts)
        visible: set[int] = {t for t in visible_groups(counts, k, never_alone) if t is not None}
        comment_teams: set[int] = {
            t for t in visible_groups(counts, k_comments, never_alone) if t is not None
        }
        total = sum(counts.values())
        org_guarded = withheld_for_membership_change(last_reported.get(ORGANISATION), everyone, k)
        report = RoundReport(
            round=pulse_round,
            invited=len(everyone),
            answered=total,
            team_counts=counts,
            visible_teams=visible,
            comment_teams=comment_teams,
            organisation_visible=total >= k and not org_guarded,
            organisation_comments=total >= k_comments and not org_guarded,
            _rows=rows,
        )
        if report.organisation_visible:
            report.results[ORGANISATION] = _group_result(
                ORGANISATION,
                "Whole organisation",
                (answers for _, answers in rows.values()),
                questions,
                len(everyone),
                report.organisation_comments,
            )
            last_reported[ORGANISATION] = everyone
        elif org_guarded:
            report.withheld.append(Withheld("Whole organisation", _membership_reason(k)))
        else:
            report.withheld.append(Withheld("Whole organisation", _too_few_reason(k)))
        for team_id in sorted(
            (t for t in counts if t is not None), key=lambda t: team_names.get(t, "")
        ):
            if not survey.reports_by_team:
                continue
            label = team_names.get(team_id, "Former team")
            if team_id in visible:
                report.results[team_key(team_id)] = _group_result(
                    team_key(team_id),
                    label,
                    (answers for t, answers in rows.values() if t == team_id),
                    questions,
                    len(members[team_id]),
                    team_id in comment_teams,
                )
                last_reported[team_id] = members[team_id]
            elif team_id in guarded:
                report.withheld.append(Withheld(label, _membership_reason(k)))
            elif counts[team_id] < k:
                report.withheld.append(Withheld(label, _too_few_reason(k)))
            else:
                report.withheld.append(
                    Withheld(
                        label,
                        "Hidden together with a smaller team, so the organisation total minus "
                        "the teams shown cannot single anyone out.",
                    )
                )
        reports.append(report)
    return reports


def _too_few_reason(k: int) -> str:
    return f"Fewer than {k} answers: results show from {k}."


def _membership_reason(k: int) -> str:
    return (
        f"Fewer than {k} people joined or left since the last reported round, so a comparison "
        "would point to them. Results return when the change reaches "
        f"{k} people."
    )


class FilterRefused(Exception):
    """The chosen groups would show, or let someone work out, fewer than the minimum."""


def filtered_result(survey: Survey, report: RoundReport, team_ids: Iterable[int]) -> GroupResult:
    """Results for several teams together, if the anonymity rules allow that combination."""
    chosen = set(team_ids)
    selected: set[int | None] = set(chosen)
    visible: set[int | None] = set(report.visible_teams)
    if not survey.reports_by_team or not filter_allowed(
        selected, report.team_counts, visible, survey.min_group_size
    ):
        raise FilterRefused(
            "This combination is not shown: it includes a team too small to show on its own, "
            f"or leaves fewer than {survey.min_group_size} answers outside it."
        )
    team_names = dict(Team.objects.filter(pk__in=chosen).values_list("pk", "name"))
    invited = Invitation.objects.filter(round=report.round, team_id__in=chosen).count()
    return _group_result(
        "teams-" + "-".join(str(t) for t in sorted(chosen)),
        " + ".join(sorted(team_names.values())),
        (answers for t, answers in report._rows.values() if t in chosen),
        list(survey.questions.all()),
        invited,
        chosen <= report.comment_teams,
    )


def comments_for(report: RoundReport, key: str) -> list[str]:
    """A reportable group's comments, shuffled afresh on every read; none for other groups."""
    comments = Comment.objects.filter(round=report.round)
    team_ids: list[int] | None = None
    if key == ORGANISATION:
        if not report.organisation_comments:
            return []
    else:
        team_ids = [int(part) for part in key.split("-")[1:]]
        if not team_ids or not set(team_ids) <= report.comment_teams:
            return []
        comments = comments.filter(team_id__in=team_ids)
    texts = list(comments.values_list("text", flat=True))
    texts += _pending_comments(report.round, team_ids)
    secrets.SystemRandom().shuffle(texts)
    return texts


def comment_themes(texts: list[str]) -> list[tuple[Theme, list[str]]]:
    """Themes of already-reportable, scrubbed comments, with the comments in each."""
    return [(theme, [texts[i] for i in theme.members]) for theme in find_themes(texts)]


def sees_every_team(user: User) -> bool:
    return reach(user, Action.VIEW_CULTURE) is Reach.ORGANISATION


def may_see_teams(user: User, team_ids: Iterable[int]) -> bool:
    """Whether every one of these teams' culture figures is the viewer's to see."""
    return all(reaches_team(user, Action.VIEW_CULTURE, team_id) for team_id in team_ids)


def keys_visible_to(user: User, report: RoundReport) -> list[str]:
    """The results a viewer may open: leads their own team and the organisation."""
    keys = [key for key in report.results if key == ORGANISATION]
    for key in report.results:
        if key == ORGANISATION:
            continue
        if may_see_teams(user, [int(part) for part in key.split("-")[1:]]):
            keys.append(key)
    return keys


def withheld_visible_to(user: User, report: RoundReport) -> list[Withheld]:
    """Why groups were withheld: every group for those who see every team, otherwise only the
    organisation and the viewer's own team (another team's absence is not theirs to read)."""
    if sees_every_team(user):
        return list(report.withheld)
    team = user.team
    return [
        withheld
        for withheld in report.withheld
        if withheld.label == "Whole organisation"
        or (team is not None and withheld.label == team.name)
    ]
