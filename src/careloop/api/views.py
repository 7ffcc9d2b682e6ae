"""Settings → API keys: admins issue, rotate and revoke keys; a secret is shown once."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from careloop.api import selectors, services
from careloop.api.forms import ApiKeyForm
from careloop.api.models import ApiKey
from careloop.api.query_params import whole_number
from careloop.core.http import HtmxHttpRequest
from careloop.core.permissions import Action, requires
from careloop.people.models import User


def _page(
    request: HtmxHttpRequest,
    form: ApiKeyForm,
    *,
    secret: str = "",
    issued: ApiKey | None = None,
    status: int = 200,
) -> HttpResponse:
    template = "api/_keys.html" if request.htmx else "api/keys.html"
    response = render(
        request,
        template,
        {"form": form, "keys": selectors.api_keys(), "secret": secret, "issued": issued},
        status=status,
    )
    # The page may carry a secret: no browser or proxy may keep a copy.
    response["Cache-Control"] = "no-store"
    return response


def _admin(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # `requires` let only a signed-in admin through
    return request.user


def _working_key(request: HttpRequest) -> ApiKey:
    key_id = whole_number(request.POST.get("key", ""), 1, 10**18)
    key = ApiKey.objects.filter(pk=key_id, revoked_at__isnull=True).first() if key_id else None
    if key is None:
        raise Http404("No working API key has this id.")
    return key


@requires(Action.MANAGE_ORGANISATION)
def api_keys(request: HtmxHttpRequest) -> HttpResponse:
    """The keys, and the form that issues a new one."""
    form = ApiKeyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, form, status=400)
        key, secret = services.create_api_key(
            name=form.cleaned_data["name"],
            owner=form.cleaned_data["owner"],
            scopes=form.cleaned_data["scopes"],
            created_by=_admin(request),
        )
        return _page(request, ApiKeyForm(), secret=secret, issued=key)
    return _page(request, form)


@requires(Action.MANAGE_ORGANISATION)
@require_POST
def rotate_api_key(request: HtmxHttpRequest) -> HttpResponse:
    """A new secret for a working key; the old one stops working at once."""
    key = _working_key(request)
    secret = services.rotate_api_key(key, actor=_admin(request))
    return _page(request, ApiKeyForm(), secret=secret, issued=key)


@requires(Action.MANAGE_ORGANISATION)
@require_POST
def revoke_api_key(request: HtmxHttpRequest) -> HttpResponse:
    services.revoke_api_key(_working_key(request), actor=_admin(request))
    return _page(request, ApiKeyForm())
