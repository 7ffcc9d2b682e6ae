from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.test import RequestFactory

from careloop.core.http import refusal_shown, refusal_text


def _request() -> HttpRequest:
    request = RequestFactory().post("/")
    request.session = {}  # type: ignore[attr-defined]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def test_refusal_text_joins_every_reason() -> None:
    refusal = ValidationError(["Too late.", "Ask a lead."])
    assert refusal_text(refusal) == "Too late. Ask a lead."


def test_a_refusal_is_shown_and_the_rest_of_the_block_skipped() -> None:
    request = _request()
    reached = []
    with refusal_shown(request):
        raise_refusal()
        reached.append("success message")
    assert reached == []
    assert [str(message) for message in get_messages(request)] == ["Already acknowledged."]


def test_a_block_that_goes_through_shows_no_error() -> None:
    request = _request()
    with refusal_shown(request):
        reached = True
    assert reached
    assert list(get_messages(request)) == []


def test_other_errors_are_not_swallowed() -> None:
    request = _request()
    with pytest.raises(KeyError), refusal_shown(request):
        raise KeyError("not a refusal")
    assert list(get_messages(request)) == []


def raise_refusal() -> None:
    raise ValidationError("Already acknowledged.")
