"""A customer's data rights from their profile page: download everything, or erase it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from careloop.conversations.models import Customer
from careloop.core import privacy
from careloop.core.permissions import Action, requires


@requires(Action.MANAGE_CUSTOMER_PRIVACY)
def export_customer(request: HttpRequest, pk: int) -> JsonResponse:
    customer = get_object_or_404(Customer, pk=pk)
    response = JsonResponse(
        privacy.export_customer_data(customer, request.user), json_dumps_params={"indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@requires(Action.MANAGE_CUSTOMER_PRIVACY)
@require_POST
def erase_customer(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_object_or_404(Customer, pk=pk, erased_at__isnull=True)
    if request.POST.get("confirm", "").strip() != "ERASE":
        messages.error(request, "Nothing was erased: type ERASE to confirm.")
        return redirect("conversations:customer", pk=pk)
    privacy.erase_customer(customer, request.user)
    messages.success(request, "The customer's personal data was erased everywhere.")
    return redirect("conversations:customer", pk=pk)
