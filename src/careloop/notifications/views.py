"""The notification centre: the list, the unread badge's poll, marking read, digest settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from careloop.core.permissions import Action, requires
from careloop.notifications import selectors, services
from careloop.notifications.models import DigestFrequency

# Longer numbers are no notification's id (and would overflow the database's integer).
MAX_ID_DIGITS = 18


@requires(Action.VIEW_DASHBOARD)
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = selectors.notifications_of(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "notifications/list.html",
        {
            "notifications": mine[: selectors.LIST_LENGTH],
            "unread": mine.filter(read_at__isnull=True).count(),
            "digest": selectors.digest_of(request.user),  # type: ignore[arg-type]
            "digest_choices": DigestFrequency.choices,
        },
    )


@requires(Action.VIEW_DASHBOARD)
def badge(request: HttpRequest) -> HttpResponse:
    """The unread badge, for the navigation's poll: 204 (nothing to swap) when unchanged."""
    context = selectors.badge_context(request.user)
    if request.GET.get("count") == str(context["unread"]):
        return HttpResponse(status=204)
    return render(request, "notifications/_badge.html", context)


@requires(Action.VIEW_DASHBOARD)
@require_POST
def mark_read(request: HttpRequest) -> HttpResponseRedirect:
    """Mark one of one's own notifications read; with `open`, go to what it is about."""
    raw_id = request.POST.get("notification", "").strip()
    notification = get_object_or_404(
        selectors.notifications_of(request.user),  # type: ignore[arg-type]
        pk=int(raw_id) if raw_id.isdigit() and len(raw_id) <= MAX_ID_DIGITS else 0,
    )
    services.mark_read(notification)
    if "open" in request.POST and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts=None
    ):
        return redirect(notification.url)
    return redirect("notifications:list")


@requires(Action.VIEW_DASHBOARD)
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponseRedirect:
    count = services.mark_all_read(request.user)  # type: ignore[arg-type]
    messages.success(request, f"Marked {count} read." if count else "Nothing was unread.")
    return redirect("notifications:list")


@requires(Action.VIEW_DASHBOARD)
@require_POST
def digest_settings(request: HttpRequest) -> HttpResponseRedirect:
    wanted = request.POST.get("digest", "")
    if wanted not in DigestFrequency.values:
        messages.error(request, "Choose off, hourly or daily.")
        return redirect("notifications:list")
    services.set_digest(request.user, DigestFrequency(wanted))  # type: ignore[arg-type]
    messages.success(request, "Email digest saved.")
    return redirect("notifications:list")
