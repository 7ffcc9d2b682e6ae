"""Every API write runs once per Idempotency-Key: retries get the first answer, nothing twice.

The request is kept raw as an `InboundRecord` before anything else happens, so even input
that is rejected or crashes the processing is never lost. Answers are replayed for a day
(`CARELOOP_API_IDEMPOTENCY_KEEP`), then purged nightly; a key whose answer expired or was
erased with a customer's data gets a clear 422, never a replay and never a second run.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler

from careloop.api.models import ApiIdempotentResponse, ApiKey
from careloop.conversations.models import Channel, InboundRecord, Message

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True)
class Outcome:
    """What processing a write produced: the answer, and the message it stored, if any."""

    status: int
    body: Any
    message: Message | None = None


def idempotency_key_of(request: Request) -> str:
    """The request's Idempotency-Key header, or a 400 saying what is wrong with it."""
    key = request.headers.get(HEADER)
    if key is None:
        raise ValidationError(
            {HEADER: ["This header is required on every POST, so a retry never acts twice."]}
        )
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(" " <= char <= "~" for char in key):
        raise ValidationError({HEADER: [f"Use 1 to {MAX_KEY_LENGTH} printable ASCII characters."]})
    return key


def _fingerprint(request: Request, raw: bytes) -> str:
    digest = hashlib.sha256()
    for part in (str(request.method).encode(), request.path.encode(), raw):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def as_json(data: Any) -> Any:
    """Exactly the JSON a client receives, so a replay is byte-for-byte the same answer."""
    return json.loads(JSONRenderer().render(data))


def kept_since(now: datetime) -> datetime:
    return now - settings.CARELOOP_API_IDEMPOTENCY_KEEP


def purge_expired_answers(now: datetime) -> int:
    """Forget answers past their time (the raw request stays, under raw-input retention)."""
    expired = ApiIdempotentResponse.objects.filter(record__received_at__lt=kept_since(now))
    return expired.delete()[0]


def _no_longer_kept() -> Response:
    return Response(
        {
            "detail": f"The answer to this {HEADER} is no longer kept (answers are kept for "
            f"{settings.CARELOOP_API_IDEMPOTENCY_KEEP}, and go when a customer's data is "
            f"erased). Nothing was done: send the request with a new {HEADER}."
        },
        status=status.HTTP_422_UNPROCESSABLE_ENTITY,
    )


def _replay(stored: ApiIdempotentResponse) -> Response:
    return Response(stored.body, status=stored.status_code, headers={REPLAYED_HEADER: "true"})


def _claim(api_key: ApiKey, key: str, request: Request, raw: bytes, fingerprint: str) -> str:
    """Keep the raw request under its dedupe key; the unique constraint lets one request win."""
    dedupe_key = f"api:{api_key.pk}:{key}"
    try:
        with transaction.atomic():
            record = InboundRecord.objects.create(
                channel=Channel.API, dedupe_key=dedupe_key, raw=raw
            )
            ApiIdempotentResponse.objects.create(
                record=record,
                api_key=api_key,
                idempotency_key=key,
                method=str(request.method),
                path=request.path[:500],
                request_sha256=fingerprint,
            )
    except IntegrityError:
        pass  # an earlier request holds this key; `run_once` compares and replays under a lock
    return dedupe_key


def run_once(request: Request, api_key: ApiKey, process: Callable[[], Outcome]) -> Response:
    """Answer a write, processing it only if no earlier request with its key was answered.

    A client error raised by `process` (validation, bad JSON, not found) is answered and kept
    as the key's response, with the record flagged; an unexpected error leaves the key
    unanswered so a retry processes it again.
    """
    key = idempotency_key_of(request)
    raw = bytes(request.body)
    fingerprint = _fingerprint(request, raw)
    dedupe_key = _claim(api_key, key, request, raw, fingerprint)
    try:
        with transaction.atomic():
            # Concurrent duplicates queue here until the first one has stored its answer.
            stored = (
                ApiIdempotentResponse.objects.select_for_update()
                .select_related("record")
                .filter(record__dedupe_key=dedupe_key)
                .first()
            )
            if stored is None or stored.record.received_at < kept_since(timezone.now()):
                return _no_longer_kept()
            if stored.request_sha256 != fingerprint:
                return Response(
                    {
                        "detail": f"This {HEADER} was already used for a different request. "
                        "Send a new key for a new request; resend the identical request to "
                        "get its original answer."
                    },
                    status=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            if stored.is_complete:
                return _replay(stored)
            return _process_and_store(request, stored, process)
    except Exception as error:
        _flag_failure(dedupe_key, error)
        raise


def _process_and_store(
    request: Request, stored: ApiIdempotentResponse, process: Callable[[], Outcome]
) -> Response:
    record = stored.record
    try:
        with transaction.atomic():  # a savepoint: a rejected request leaves no half-done writes
            outcome = process()
    except (APIException, Http404) as error:
        response = exception_handler(error, {"request": request, "view": None})
        if response is None:  # pragma: no cover - DRF handles every APIException
            raise
        outcome = Outcome(status=response.status_code, body=response.data)
        record.state = InboundRecord.State.FLAGGED
        record.problem = f"Rejected with {outcome.status}: {json.dumps(as_json(outcome.body))}"
    else:
        record.state = InboundRecord.State.PROCESSED
        record.message = outcome.message
    record.save(update_fields=["state", "problem", "message"])
    stored.status_code, stored.body = outcome.status, as_json(outcome.body)
    stored.completed_at = timezone.now()
    stored.save(update_fields=["status_code", "body", "completed_at"])
    return Response(stored.body, status=stored.status_code)


def _flag_failure(dedupe_key: str, error: Exception) -> None:
    try:
        InboundRecord.objects.filter(
            dedupe_key=dedupe_key, api_response__status_code__isnull=True
        ).update(
            state=InboundRecord.State.FLAGGED,
            problem=f"Processing failed: {type(error).__name__}: {error}"[:2000],
        )
    except Exception:  # the original error matters more than this note about it
        logger.exception("Could not flag API record %s", dedupe_key)
