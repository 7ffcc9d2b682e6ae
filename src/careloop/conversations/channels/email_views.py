"""The raw-MIME inbound endpoint: a mail relay POSTs each email's RFC 822 bytes here."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from careloop.conversations.channels.email_inbound import MAX_RAW_EMAIL_BYTES, ingest_email
from careloop.core.permissions import public

TOKEN_HEADER = "X-Careloop-Inbound-Token"  # noqa: S105 - a header name, not a secret


def _authorised(request: HttpRequest) -> bool:
    expected: str = settings.CARELOOP_INBOUND_EMAIL_TOKEN
    given = request.headers.get(TOKEN_HEADER, "")
    # With no token configured the endpoint is closed, not open.
    return bool(expected) and constant_time_compare(given, expected)


def _too_large() -> JsonResponse:
    return JsonResponse(
        {"error": f"An email may be at most {MAX_RAW_EMAIL_BYTES} bytes."}, status=413
    )


# Public to the permission audit: a relay, not a person, calls it, proving itself by the token.
@public
@csrf_exempt
@require_POST
def inbound_email(request: HttpRequest) -> JsonResponse:
    """Store the posted email (202), recognising one already received by its Message-ID."""
    if not _authorised(request):
        return JsonResponse({"error": f"A valid {TOKEN_HEADER} header is required."}, status=401)
    try:
        declared_length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared_length = 0
    if declared_length > MAX_RAW_EMAIL_BYTES:
        return _too_large()
    # Read the stream directly: request.body would refuse anything over Django's 2.5 MB form limit.
    raw = request.read(MAX_RAW_EMAIL_BYTES + 1)
    if len(raw) > MAX_RAW_EMAIL_BYTES:
        return _too_large()
    if not raw.strip():
        return JsonResponse({"error": "The request body holds no email."}, status=400)
    stored = ingest_email(raw)
    return JsonResponse({"stored": True, "duplicate": stored.duplicate}, status=202)
