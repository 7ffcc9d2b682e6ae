from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from careloop.people.http import employee
from tests.people.factories import UserFactory


@pytest.mark.django_db
def test_employee_is_the_signed_in_person_and_nobody_else() -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        employee(request)
    person = UserFactory()
    request.user = person
    assert employee(request) == person
