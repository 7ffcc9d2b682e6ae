"""Background work for organisation exports."""

from __future__ import annotations

from django.tasks import task

from careloop.exports.models import OrganisationExport


@task()
def build_organisation_export(export_id: int) -> bool:
    """Write a requested export's zip. Safe to run twice: a ready export is left alone."""
    from careloop.exports.services import build_export

    export = OrganisationExport.objects.filter(pk=export_id).first()
    if export is None:
        return False
    build_export(export)
    return True
