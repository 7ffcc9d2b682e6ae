"""Customer profiles for staff: the list, one profile, and merging two customers."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from careloop.conversations import selectors
from careloop.conversations.forms import CustomerForm, MergeForm
from careloop.conversations.models import Customer
from careloop.conversations.services import merging
from careloop.core.http import HtmxHttpRequest
from careloop.core.permissions import Action, can, requires


@requires(Action.VIEW_CUSTOMERS)
def customers(request: HtmxHttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    page = Paginator(selectors.customers_matching(query), 50).get_page(request.GET.get("page"))
    # htmx search swaps only the results table.
    template = (
        "conversations/_customer_rows.html" if request.htmx else "conversations/customers.html"
    )
    return render(request, template, {"page": page, "query": query})


@requires(Action.VIEW_CUSTOMERS)
def customer(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(Customer.objects.prefetch_related("contact_points"), pk=pk)
    if profile.merged_into_id is not None:
        return redirect("conversations:customer", pk=profile.merged_into_id)
    form = CustomerForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Customer profile saved.")
        return redirect("conversations:customer", pk=pk)
    return render(
        request,
        "conversations/customer.html",
        {
            "customer": profile,
            "form": form,
            "merge_form": MergeForm(),
            "history": selectors.customer_history(profile),
            "may_manage_privacy": can(request.user, Action.MANAGE_CUSTOMER_PRIVACY),
        },
    )


@requires(Action.VIEW_CUSTOMERS)
@require_POST
def merge_customer(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    source = get_object_or_404(Customer, pk=pk)
    target = MergeForm(request.POST).target_for(source)
    if not isinstance(target, Customer):
        messages.error(request, "Choose another, existing customer to merge into.")
        return redirect("conversations:customer", pk=pk)
    merging.merge_customers(source, target)
    messages.success(request, f"Merged into {target}.")
    return redirect("conversations:customer", pk=target.pk)
