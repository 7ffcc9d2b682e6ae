"""One search over conversations in every status, customers and the playbook."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe

from careloop.conversations import selectors as conversations
from careloop.conversations.models import Conversation, Customer
from careloop.core.permissions import Action, can, requires
from careloop.core.replica import reads_from_replica
from careloop.people.http import employee
from careloop.playbook import selectors as playbook
from careloop.search.forms import SearchForm

PAGE_SIZE = 20


@requires(Action.USE_PLAYBOOK)
@reads_from_replica
def search(request: HttpRequest) -> HttpResponse:
    person = employee(request)
    form = SearchForm(request.GET or None)
    context: dict[str, object] = {"form": form, "query": ""}
    if not form.is_valid():
        return render(request, "search/search.html", context)
    query = form.query()
    if not query and not form.narrowed:
        return render(request, "search/search.html", context)
    number = conversations.reference(query)
    may_read_conversations = can(person, Action.USE_INBOX)
    if number is not None and may_read_conversations:
        if Conversation.objects.filter(pk=number).exists():
            return redirect("conversations:conversation", pk=number)
        context.update(query=query, missing_number=number)
        return render(request, "search/search.html", context)

    found = conversations.conversations_for(person, form.filters())
    more = False
    page: Page[int] | Page[Conversation]
    if query:
        ids, more = conversations.best_matches(found, query)
        page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
        hits = conversations.conversation_hits(list(page.object_list), query)
    else:
        listed = found.select_related("customer", "assignee", "team")
        page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
        hits = [conversations.ConversationHit(row, mark_safe("")) for row in page.object_list]
    customer_id = form.cleaned_data.get("customer")
    context.update(
        query=query,
        searched=bool(query) or form.narrowed,
        page=page,
        hits=hits,
        more=more,
        window=conversations.RESULT_WINDOW,
        may_read_conversations=may_read_conversations,
        customers=conversations.customers_found(person, query),
        articles=playbook.articles_with_words(person, query),
        customer=Customer.objects.filter(pk=customer_id).first() if customer_id else None,
    )
    return render(request, "search/search.html", context)
