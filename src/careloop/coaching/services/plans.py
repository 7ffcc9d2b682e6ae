"""Coaching plans: goals, practice to do and check-ins, agreed between a person and a coach."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careloop.actions.models import ActionItem
from careloop.actions.services import ActionItemDraft, create_action_item
from careloop.coaching.models import CheckIn, CoachingPlan, Scenario
from careloop.coaching.selectors import is_coach_of, may_see_plan
from careloop.core.audit import record_audit
from careloop.people.models import User


@dataclass(frozen=True, kw_only=True)
class CoachingPlanDraft:
    """What a coach and a person agree: goals, practice scenarios and the first check-in."""

    person: User
    title: str
    # one goal a line
    goals: str
    next_check_in: datetime.date
    scenarios: Iterable[Scenario] = ()
    add_action_item: bool = False


def create_plan(draft: CoachingPlanDraft, *, coach: User) -> CoachingPlan:
    """A plan for one person by their coach; optionally tracked in the action ledger."""
    person, next_check_in = draft.person, draft.next_check_in
    if not is_coach_of(coach, person):
        raise PermissionDenied("A coaching plan is made by the person's team lead or a CX leader.")
    if not draft.goals.strip():
        raise ValidationError("Write at least one goal.")
    with transaction.atomic():
        plan = CoachingPlan.objects.create(
            person=person,
            coach=coach,
            title=draft.title.strip() or "Coaching plan",
            goals=draft.goals.strip(),
            next_check_in=next_check_in,
        )
        plan.scenarios.set(list(draft.scenarios))
        if draft.add_action_item:
            item = create_action_item(
                ActionItemDraft(
                    title=f"Coaching: {plan.title}",
                    owner=person,
                    source_kind=ActionItem.SourceKind.OTHER,
                    source_id=plan.pk,
                    source_label="Coaching plan",
                    kind=ActionItem.Kind.TRAINING,
                    due=next_check_in,
                ),
                created_by=coach,
            )
            plan.action_item_id = item.pk
            plan.save(update_fields=["action_item_id"])
        record_audit(coach, "coaching.plan_created", plan, summary=f"For {person.full_name}")
    return plan


def record_check_in(
    plan: CoachingPlan,
    *,
    by: User,
    notes: str,
    next_check_in: datetime.date | None = None,
    complete: bool = False,
) -> CheckIn:
    """Either side writes how it is going; the coach sets the next date or closes the plan."""
    if not may_see_plan(by, plan):
        raise PermissionDenied("Only the person and their coach write in a plan.")
    notes = notes.strip()
    if not notes:
        raise ValidationError("Write a few words about how it is going.")
    is_coach = by.pk == plan.coach_id or is_coach_of(by, plan.person)
    with transaction.atomic():
        check_in = CheckIn.objects.create(plan=plan, author=by, notes=notes)
        if is_coach and next_check_in is not None:
            plan.next_check_in = next_check_in
        if is_coach and complete:
            plan.status = CoachingPlan.Status.COMPLETED
            record_audit(by, "coaching.plan_completed", plan)
        plan.save(update_fields=["next_check_in", "status"])
    return check_in
