from __future__ import annotations

from django.db.models import Q, QuerySet

from careloop.conversations.models import Customer


def customers_matching(query: str = "") -> QuerySet[Customer]:
    customers = Customer.objects.order_by("full_name")
    query = query.strip()
    if query:
        customers = customers.filter(
            Q(full_name__icontains=query) | Q(email__icontains=query) | Q(company__icontains=query)
        )
    return customers
