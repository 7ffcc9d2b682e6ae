"""Rubrics a lead defines: weighted criteria, N/A where it fits, critical process checks."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from careloop.coaching.models import Criterion, Rubric
from careloop.core.audit import record_audit
from careloop.core.permissions import Action, can
from careloop.people.models import User


@dataclass(frozen=True)
class CriterionInput:
    name: str
    description: str = ""
    weight: int = 1
    allows_na: bool = True
    is_critical: bool = False
    autoqa: str = ""


def create_rubric(
    *, by: User, name: str, description: str, criteria: list[CriterionInput]
) -> Rubric:
    if not can(by, Action.MANAGE_COACHING):
        raise PermissionDenied("Leads define rubrics.")
    name = name.strip()
    if not name:
        raise ValidationError("A rubric needs a name.")
    if Rubric.objects.filter(name__iexact=name).exists():
        raise ValidationError("A rubric with this name exists already.")
    criteria = [c for c in criteria if c.name.strip()]
    if not criteria:
        raise ValidationError("Add at least one criterion.")
    if any(c.weight < 1 for c in criteria):
        raise ValidationError("Weights are whole numbers from 1.")
    if any(c.autoqa not in Criterion.AutoQA.values for c in criteria):
        raise ValidationError("Unknown AutoQA source.")
    with transaction.atomic():
        rubric = Rubric.objects.create(name=name, description=description.strip(), created_by=by)
        Criterion.objects.bulk_create(
            Criterion(
                rubric=rubric,
                position=index,
                name=c.name.strip()[:120],
                description=c.description.strip()[:300],
                weight=c.weight,
                allows_na=c.allows_na,
                is_critical=c.is_critical,
                autoqa=c.autoqa,
            )
            for index, c in enumerate(criteria)
        )
        record_audit(by, "coaching.rubric_created", rubric, summary=name)
    return rubric


def retire_rubric(rubric: Rubric, *, by: User) -> Rubric:
    """Rubrics in use stay for their reviews' sake; a retired one is not offered again."""
    if not can(by, Action.MANAGE_COACHING):
        raise PermissionDenied("Leads retire rubrics.")
    rubric.is_active = False
    rubric.save(update_fields=["is_active"])
    record_audit(by, "coaching.rubric_retired", rubric, summary=rubric.name)
    return rubric
