"""Signing webhook deliveries, as Stripe does: `Careloop-Signature: t=<unix>,v1=<hex>`.

v1 is HMAC-SHA256, keyed with the endpoint's secret, over "<t>.<raw body>". Receivers recompute
it, compare in constant time and refuse a timestamp older than their tolerance (we suggest five
minutes), so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Careloop-Signature"
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return f"{SECRET_PREFIX}{secrets.token_urlsafe(32)}"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"
