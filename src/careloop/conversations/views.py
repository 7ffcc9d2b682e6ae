from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from careloop.conversations.selectors import customers_matching
from careloop.core.http import HtmxHttpRequest
from careloop.core.permissions import Action, requires


@requires(Action.VIEW_CUSTOMERS)
def customers(request: HtmxHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    page = Paginator(customers_matching(query), 50).get_page(request.GET.get("page"))
    # htmx search swaps only the results table.
    template = (
        "conversations/_customer_rows.html" if request.htmx else "conversations/customers.html"
    )
    return render(request, template, {"page": page, "query": query})
