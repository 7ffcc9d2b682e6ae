"""Every demo employee can sign in, whatever letters their name has; emails read as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

import careloop
from careloop.demo.organisation import DEMO_DOMAIN, DEMO_PASSWORD, _email, create_demo_organisation
from careloop.people.models import User
from careloop.people.tasks import send_invitation
from tests.people.factories import UserFactory


@pytest.mark.parametrize(
    ("name", "local"),
    [
        ("Jürgen Müller-Lüdenscheidt", "jurgen.muller-ludenscheidt"),
        ("Søren Ødegård", "soren.odegard"),
        ("Zoë O'Brien", "zoe.obrien"),
        ("Małgorzata Weiß", "malgorzata.weiss"),
        ("José María García", "jose.maria.garcia"),
    ],
)
def test_accented_names_make_ascii_demo_addresses(name: str, local: str) -> None:
    assert _email(name) == f"{local}@{DEMO_DOMAIN}"


def sign_in(client: Client, email: str) -> int:
    response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    return response.status_code


@pytest.mark.django_db
def test_every_demo_employee_has_an_address_they_can_sign_in_with(client: Client) -> None:
    create_demo_organisation(conversations=5)
    people = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    accented = [person for person in people if not person.full_name.isascii()]

    assert accented, "the demo seed should include names with accents"
    assert all(person.email.isascii() for person in people)
    assert sign_in(client, accented[0].email) == 302


@pytest.mark.django_db
def test_an_accented_address_from_an_older_demo_is_made_ascii_on_the_next_run(
    client: Client,
) -> None:
    create_demo_organisation(conversations=5)
    person = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exclude(role="admin").first()
    assert person is not None
    User.objects.filter(pk=person.pk).update(
        full_name="Zoë Brontë", email=f"zoë.brontë@{DEMO_DOMAIN}"
    )
    assert sign_in(client, f"zoë.brontë@{DEMO_DOMAIN}") == 200  # refused: the form stays

    create_demo_organisation(conversations=5)

    person.refresh_from_db()
    assert person.email == f"zoe.bronte@{DEMO_DOMAIN}"
    assert sign_in(client, person.email) == 302


@pytest.mark.django_db
def test_plain_text_emails_show_an_ampersand_as_written() -> None:
    from careloop.people.selectors import current_organisation

    organisation = current_organisation()
    organisation.name = "Harbour & Pine <Outfitters>"
    organisation.save()
    person = UserFactory(full_name="Ana O'Neil")

    send_invitation.call(person.pk)

    [email] = mail.outbox
    assert "Harbour & Pine <Outfitters> has invited you" in email.body
    assert "&amp;" not in email.body and "&#x27;" not in email.subject


def test_every_plain_text_template_switches_html_escaping_off() -> None:
    source = Path(careloop.__file__).parent
    escaped = [
        str(path.relative_to(source))
        for path in source.glob("**/templates/**/*.txt")
        # `{% load %}` tags may come first: they print nothing.
        if not re.sub(r"^(\{% load [^%]+%\}\s*)*", "", path.read_text()).startswith(
            "{% autoescape off %}"
        )
    ]
    assert escaped == []
