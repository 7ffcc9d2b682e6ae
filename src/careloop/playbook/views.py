"""Playbook pages for the team (search, articles, history, reviews, promoting a case) and the
public help centre customers read with no sign-in."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.conversations.models import Conversation
from careloop.core.http import refusal_shown
from careloop.core.permissions import Action, can, public, requires
from careloop.people.http import employee
from careloop.people.selectors import current_organisation
from careloop.playbook import selectors, services
from careloop.playbook.forms import ArticleForm, ReviewedForm
from careloop.playbook.models import Article, ArticleRevision, ArticleVersion, ArticleVote


@requires(Action.USE_PLAYBOOK)
def index(request: HttpRequest) -> HttpResponse:
    user = employee(request)
    query = request.GET.get("q", "").strip()
    context: dict[str, object] = {
        "query": query,
        "my_stale": selectors.stale_articles().filter(owner=user),
        "can_open_conversations": can(user, Action.USE_INBOX),
    }
    if query:
        context["hits"] = selectors.search(query)
    else:
        articles = selectors.articles().order_by("category", "title")
        context["page"] = Paginator(articles, 50).get_page(request.GET.get("page"))
    return render(request, "playbook/index.html", context)


@requires(Action.USE_PLAYBOOK)
def stale(request: HttpRequest) -> HttpResponse:
    return render(request, "playbook/stale.html", {"articles": selectors.stale_articles()})


def _save_article(
    request: HttpRequest, form: ArticleForm, conversation: Conversation | None = None
) -> Article | None:
    try:
        return services.create_article(
            services.ArticleDraft(**form.cleaned_data),
            by=employee(request),
            source_conversation=conversation,
        )
    except (ValidationError, PermissionDenied) as error:
        form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        return None


@requires(Action.USE_PLAYBOOK)
def article_new(request: HttpRequest) -> HttpResponse:
    form = ArticleForm(request.POST or None, editor=employee(request))
    if request.method == "POST" and form.is_valid():
        article = _save_article(request, form)
        if article is not None:
            messages.success(request, "Article added to the playbook.")
            return redirect("playbook:article", pk=article.pk)
    return render(request, "playbook/article_form.html", {"form": form})


# Promoting reads the conversation, so it needs the inbox right, not only the playbook's.
@requires(Action.USE_INBOX)
def promote(request: HttpRequest, conversation_pk: int) -> HttpResponse:
    user = employee(request)
    conversation = get_object_or_404(
        Conversation.objects.select_related("customer"), pk=conversation_pk
    )
    draft = selectors.draft_from_conversation(conversation)
    form = ArticleForm(
        request.POST or None,
        editor=user,
        initial={"title": draft.title, "body": draft.body, "change_note": ""},
    )
    if request.method == "POST" and form.is_valid():
        article = _save_article(request, form, conversation)
        if article is not None:
            messages.success(request, "The conversation is now a playbook entry.")
            return redirect("playbook:article", pk=article.pk)
    return render(
        request,
        "playbook/article_form.html",
        {
            "form": form,
            "conversation": conversation,
            "already_promoted": Article.objects.filter(source_conversation=conversation),
        },
    )


@requires(Action.USE_INBOX)
def suggestions(request: HttpRequest, conversation_pk: int) -> HttpResponse:
    """Articles that may help with this conversation, for the conversation page (htmx)."""
    conversation = get_object_or_404(Conversation, pk=conversation_pk)
    return render(
        request,
        "playbook/_suggestions.html",
        {"hits": selectors.suggestions_for(conversation)},
    )


@requires(Action.USE_PLAYBOOK)
def article(request: HttpRequest, pk: int) -> HttpResponse:
    user = employee(request)
    current = get_object_or_404(selectors.articles(), pk=pk)
    vote = ArticleVote.objects.filter(article=current, voter=user).first()
    pending = selectors.pending_revision(user, current)
    published = current.versions.filter(number=current.version_number).first()
    return render(
        request,
        "playbook/article.html",
        {
            "article": current,
            "pending": pending,
            "pending_changes": selectors.diff(published, pending) if pending else [],
            "may_approve": can(user, Action.MANAGE_PLAYBOOK),
            "may_edit": selectors.may_edit(user, current),
            "my_vote": vote,
            "reviewed_form": ReviewedForm(),
            "can_open_conversations": can(user, Action.USE_INBOX),
        },
    )


def _saved_message(saved: ArticleVersion | ArticleRevision | None) -> str:
    if isinstance(saved, ArticleRevision):
        return (
            "Your change waits for a lead's review; "
            "the help centre shows the published version until then."
        )
    return f"Saved as version {saved.number}." if saved else "Details saved."


@requires(Action.USE_PLAYBOOK)
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = employee(request)
    current = get_object_or_404(Article, pk=pk)
    if not selectors.may_edit(user, current):
        raise Http404("Only the article's owner and leads edit it.")
    # The author goes on from the change that waits for review, not from the published text.
    draft = selectors.pending_revision(user, current) or current
    initial = {
        "title": draft.title,
        "category": draft.category,
        "body": draft.body,
        "visibility": current.visibility,
        "owner": current.owner_id,
        "review_by": current.review_by,
    }
    form = ArticleForm(
        request.POST or None, editor=user, current_visibility=current.visibility, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            version = services.edit_article(
                current, services.ArticleDraft(**form.cleaned_data), by=user
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _saved_message(version))
            return redirect("playbook:article", pk=current.pk)
    return render(request, "playbook/article_form.html", {"form": form, "article": current})


@requires(Action.USE_PLAYBOOK)
def history(request: HttpRequest, pk: int) -> HttpResponse:
    current = get_object_or_404(Article, pk=pk)
    return render(
        request,
        "playbook/history.html",
        {"article": current, "versions": current.versions.select_related("edited_by")},
    )


@requires(Action.USE_PLAYBOOK)
def version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    shown = get_object_or_404(
        ArticleVersion.objects.select_related("article", "edited_by"), article_id=pk, number=number
    )
    return render(
        request,
        "playbook/version.html",
        {
            "version": shown,
            "article": shown.article,
            "changes": selectors.diff(selectors.previous_version(shown), shown),
            "may_restore": selectors.may_edit(employee(request), shown.article)
            and shown.number != shown.article.version_number,
        },
    )


@requires(Action.USE_PLAYBOOK)
@require_POST
def restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    user = employee(request)
    shown = get_object_or_404(
        ArticleVersion.objects.select_related("article"), article_id=pk, number=number
    )
    if not selectors.may_edit(user, shown.article):
        raise Http404("Only the article's owner and leads restore versions.")
    try:
        restored = services.restore_version(shown.article, shown, by=user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("playbook:version", pk=pk, number=number)
    messages.success(
        request,
        _saved_message(restored)
        if isinstance(restored, ArticleRevision)
        else f"Version {number} restored as version {restored.number}.",
    )
    return redirect("playbook:article", pk=pk)


@requires(Action.MANAGE_PLAYBOOK)
@require_POST
def approve_revision(request: HttpRequest, pk: int, revision_pk: int) -> HttpResponse:
    revision = get_object_or_404(ArticleRevision, pk=revision_pk, article_id=pk)
    try:
        version = services.approve_revision(revision, by=employee(request))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"Approved and published as version {version.number}.")
    return redirect("playbook:article", pk=pk)


@requires(Action.USE_PLAYBOOK)
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    current = get_object_or_404(Article, pk=pk)
    services.record_vote(
        current, useful=request.POST.get("useful") == "yes", voter=employee(request)
    )
    messages.success(request, "Thank you for the feedback.")
    return redirect("playbook:article", pk=pk)


@requires(Action.USE_PLAYBOOK)
@require_POST
def reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    current = get_object_or_404(Article, pk=pk)
    form = ReviewedForm(request.POST)
    with refusal_shown(request):
        if not form.is_valid():
            raise ValidationError("Give a valid date.")
        services.mark_reviewed(
            current, by=employee(request), next_review_by=form.cleaned_data["next_review_by"]
        )
        messages.success(request, f"Reviewed. Next review by {current.review_by:%d %B %Y}.")
    return redirect("playbook:article", pk=pk)


# --- the public help centre ------------------------------------------------------------------

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
