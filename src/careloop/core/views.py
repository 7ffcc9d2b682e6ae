from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from careloop.core import home, privacy
from careloop.core.audit import audit_log as audit_log_events
from careloop.core.navigation import sections_for
from careloop.core.permissions import Action, requires
from careloop.core.whole_numbers import parse_whole_number


@requires(Action.VIEW_DASHBOARD)
def dashboard(request: HttpRequest) -> HttpResponse:
    sections = [entry for entry in sections_for(request.user) if entry.slug != "dashboard"]
    return render(
        request,
        "core/dashboard.html",
        {
            "organisation": home.organisation(),
            "sections": sections,
            "home_sections": home.sections_for(request.user),
        },
    )


@requires(Action.VIEW_AUDIT_LOG)
def audit_log(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    page = Paginator(audit_log_events(action_prefix=query), 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page, "query": query})


@requires(Action.MANAGE_ORGANISATION)
def retention_settings(request: HttpRequest) -> HttpResponse:
    """How long each type of data is kept before the nightly purge removes it."""
    sources = privacy.retention_sources()
    if request.method == "POST":
        for source in sources:
            days = parse_whole_number(
                request.POST.get(source.data_type, "").strip(),
                minimum=1,
                maximum=privacy.MAX_RETENTION_DAYS,
            )
            if days is None:
                messages.error(
                    request,
                    f"{source.label}: give a whole number of days, "
                    f"from 1 to {privacy.MAX_RETENTION_DAYS}.",
                )
                return redirect("core:retention")
            if days != privacy.retention_days(source):
                privacy.set_retention_days(source.data_type, days, request.user)
        messages.success(request, "Retention periods saved.")
        return redirect("core:retention")
    rows = [(source, privacy.retention_days(source)) for source in sources]
    return render(
        request,
        "core/retention.html",
        {"rows": rows, "max_days": privacy.MAX_RETENTION_DAYS},
    )
