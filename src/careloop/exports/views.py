from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.core.permissions import Action, requires
from careloop.exports import selectors, services
from careloop.exports.models import OrganisationExport


@requires(Action.EXPORT_ORGANISATION)
def export_list(request: HttpRequest) -> HttpResponse:
    return render(request, "exports/list.html", {"exports": selectors.recent_exports()})


@requires(Action.EXPORT_ORGANISATION)
@require_POST
def request_export(request: HttpRequest) -> HttpResponse:
    services.request_export(request.user)
    messages.success(request, "Export requested. It appears below, ready to download, once built.")
    return redirect("exports:list")


@requires(Action.EXPORT_ORGANISATION)
def download(request: HttpRequest, pk: int) -> FileResponse:
    export = get_object_or_404(OrganisationExport, pk=pk, state=OrganisationExport.State.READY)
    if not export.file:
        raise Http404("This export has no file.")
    services.record_download(request.user, export)
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"careloop-export-{export.requested_at:%Y-%m-%d}-{export.pk}.zip",
        content_type="application/zip",
    )
