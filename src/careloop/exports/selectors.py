"""Reads for organisation exports."""

from __future__ import annotations

from django.db.models import QuerySet

from careloop.exports.models import OrganisationExport


def recent_exports(limit: int = 20) -> QuerySet[OrganisationExport]:
    return OrganisationExport.objects.select_related("requested_by")[:limit]
