"""The public help centre: public playbook articles, for customers, with no sign-in."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.core.permissions import public
from careloop.people.selectors import current_organisation
from careloop.playbook import selectors, services

VISITOR_KEY = "help_centre_visitor"


@public
def help_centre(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    hits = selectors.search(query, selectors.public_articles()) if query else None
    return render(
        request,
        "playbook/help_centre.html",
        {
            "organisation": current_organisation(),
            "query": query,
            "hits": hits,
            "articles": selectors.public_articles() if hits is None else None,
        },
    )


@public
def help_article(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(selectors.public_articles(), slug=slug)
    return render(
        request,
        "playbook/help_article.html",
        {"organisation": current_organisation(), "article": article},
    )


@public
@require_POST
def help_vote(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(selectors.public_articles(), slug=slug)
    visitor_key = request.session.get(VISITOR_KEY)
    if not visitor_key:
        visitor_key = request.session[VISITOR_KEY] = secrets.token_hex(16)
    services.record_vote(
        article, useful=request.POST.get("useful") == "yes", visitor_key=visitor_key
    )
    messages.success(request, "Thank you for telling us.")
    return redirect("playbook:help-article", slug=slug)
