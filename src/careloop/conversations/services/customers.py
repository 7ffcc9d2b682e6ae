"""Customers: found or created from a contact point or another system's id, and their profiles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from careloop.conversations.models import ContactPoint, Customer


def _followed(customer: Customer) -> Customer:
    """The customer that absorbed this one through merges, if any."""
    seen = set()
    while customer.merged_into_id is not None and customer.pk not in seen:
        seen.add(customer.pk)
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


def find_or_create_customer(
    *, kind: ContactPoint.Kind, value: str, full_name: str = ""
) -> Customer:
    """The customer behind a contact point, created on first contact."""
    return customer_for_contact(kind=kind, value=value, full_name=full_name)[0]


def _customer_name(full_name: str, contact: str) -> str:
    """The name given, else one made from the contact point, cut to fit the name's column
    (a contact point holds up to 320 characters, a name 200)."""
    name = full_name.strip() or (contact.split("@")[0] if "@" in contact else contact)
    return name[: Customer._meta.get_field("full_name").max_length]


# No savepoint of their own: a caller that must survive a race wraps them in one.
@transaction.atomic(savepoint=False)
def customer_for_contact(
    *, kind: ContactPoint.Kind, value: str, full_name: str = ""
) -> tuple[Customer, bool]:
    """The customer behind a contact point, and whether they were created just now."""
    value = value.strip().lower() if kind == ContactPoint.Kind.EMAIL else value.strip()
    point = ContactPoint.objects.select_related("customer").filter(kind=kind, value=value).first()
    if point is not None:
        return _followed(point.customer), False
    customer = Customer.objects.create(
        full_name=_customer_name(full_name, value),
        email=value if kind == ContactPoint.Kind.EMAIL else None,
    )
    ContactPoint.objects.create(customer=customer, kind=kind, value=value)
    return customer, True


def find_or_create_customer_by(
    *, email: str = "", external_id: str = "", full_name: str = ""
) -> Customer:
    """The customer named by another system's id and/or an email address.

    The external id wins when both are given; the email joins that customer as a contact
    point unless it already belongs to someone.
    """
    return customer_named_by(email=email, external_id=external_id, full_name=full_name)[0]


@transaction.atomic(savepoint=False)
def customer_named_by(
    *, email: str = "", external_id: str = "", full_name: str = ""
) -> tuple[Customer, bool]:
    """`find_or_create_customer_by`, and whether the customer was created just now."""
    if not external_id:
        return customer_for_contact(kind=ContactPoint.Kind.EMAIL, value=email, full_name=full_name)
    customer, created = customer_for_contact(
        kind=ContactPoint.Kind.EXTERNAL, value=external_id, full_name=full_name
    )
    address = email.strip().lower()
    if (
        address
        and not ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL, value=address).exists()
    ):
        ContactPoint.objects.create(customer=customer, kind=ContactPoint.Kind.EMAIL, value=address)
        if not customer.email:
            customer.email = address
            customer.save(update_fields=["email"])
    return customer, created


@dataclass(frozen=True)
class CustomerReference:
    """How another system names a customer: an email, its own id, or both."""

    email: str = ""
    external_id: str = ""
    full_name: str = ""

    @property
    def contact(self) -> tuple[str, str]:
        """The contact point that finds them (the external id wins), normalised."""
        if self.external_id:
            return ContactPoint.Kind.EXTERNAL, self.external_id.strip()
        return ContactPoint.Kind.EMAIL, self.email.strip().lower()


@transaction.atomic(savepoint=False)
def customers_named_by(references: Sequence[CustomerReference]) -> list[tuple[Customer, bool]]:
    """`customer_named_by` for many references: the known customers in one query, the new
    ones created in two, whatever the number (a reference giving both an email and an
    external id, or a first contact another request creates at the same moment, goes
    through `customer_named_by` on its own)."""
    simple = [ref for ref in references if not (ref.email and ref.external_id)]
    wanted = {ref.contact for ref in simple}
    found: dict[tuple[str, str], Customer] = {}
    if wanted:
        points = Q()
        for kind in (ContactPoint.Kind.EMAIL, ContactPoint.Kind.EXTERNAL):
            values = {value for point_kind, value in wanted if point_kind == kind}
            if values:
                points |= Q(kind=kind, value__in=values)
        for point in ContactPoint.objects.select_related("customer").filter(points):
            found[(point.kind, point.value)] = _followed(point.customer)
    names: dict[tuple[str, str], str] = {}
    for ref in simple:
        if ref.contact not in found and (ref.full_name.strip() or ref.contact not in names):
            names.setdefault(ref.contact, "")
            names[ref.contact] = names[ref.contact] or ref.full_name.strip()
    created: dict[tuple[str, str], Customer] = {}
    # Inserted in one order everywhere: two batches creating the same customers then wait on
    # each other instead of deadlocking.
    names = dict(sorted(names.items()))
    if names:
        try:
            with transaction.atomic():
                customers = Customer.objects.bulk_create(
                    Customer(
                        full_name=_customer_name(name, value),
                        email=value if kind == ContactPoint.Kind.EMAIL else None,
                    )
                    for (kind, value), name in names.items()
                )
                ContactPoint.objects.bulk_create(
                    ContactPoint(customer=customer, kind=kind, value=value)
                    for (kind, value), customer in zip(names, customers, strict=True)
                )
                created = dict(zip(names, customers, strict=True))
        except IntegrityError:
            created = {}  # someone else's first contact won: each is looked up on its own
    results = []
    for ref in references:
        single = not (ref.email and ref.external_id)
        if single and ref.contact in found:
            results.append((found[ref.contact], False))
        elif single and ref.contact in created:
            results.append((created[ref.contact], True))
        else:
            results.append(
                customer_named_by(
                    email=ref.email, external_id=ref.external_id, full_name=ref.full_name
                )
            )
    return results


# What staff may change on a customer's profile (the email is a contact point: channels own it).
EDITABLE_CUSTOMER_FIELDS = ("full_name", "company", "language", "preferred_channel", "notes")


@transaction.atomic
def create_customer(*, full_name: str, email: str = "", **profile: str) -> Customer:
    """A new customer, reachable by `email` if given; ValidationError when the address is
    already someone's (merge instead)."""
    address = email.strip().lower()
    if address and (
        Customer.objects.filter(email=address).exists()
        or ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL, value=address).exists()
    ):
        raise ValidationError({"email": ["A customer with this email exists already."]})
    unknown = set(profile) - set(EDITABLE_CUSTOMER_FIELDS)
    if unknown:
        raise ValueError(f"Not a profile field: {', '.join(sorted(unknown))}")
    customer = Customer.objects.create(
        full_name=full_name.strip(), email=address or None, **profile
    )
    if address:
        ContactPoint.objects.create(customer=customer, kind=ContactPoint.Kind.EMAIL, value=address)
    return customer


def update_customer(customer: Customer, **changes: str) -> Customer:
    """Change profile fields (EDITABLE_CUSTOMER_FIELDS) of a customer."""
    unknown = set(changes) - set(EDITABLE_CUSTOMER_FIELDS)
    if unknown:
        raise ValueError(f"Not a profile field: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(customer, name, value)
    if changes:
        customer.save(update_fields=list(changes))
    return customer
