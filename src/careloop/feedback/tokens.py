"""Survey links and unsubscribe links: signed, expiring, single-use; only hashes are stored.

A survey link carries a random token (secrets.token_urlsafe, 256 bits) signed with a
timestamp, so a forged or stale link is refused before the database is asked, and a guessed
one matches no stored hash.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core import signing
from django.utils.crypto import salted_hmac

SURVEY_SALT = "careloop.feedback.survey-link"
UNSUBSCRIBE_SALT = "careloop.feedback.unsubscribe"


class InvalidLink(Exception):
    """The link is forged, mistyped or past its signature's age."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_survey_token() -> tuple[str, str]:
    """A signed token for a link and the hash of its secret part, the only thing stored."""
    secret = secrets.token_urlsafe(32)
    return signing.TimestampSigner(salt=SURVEY_SALT).sign(secret), hash_token(secret)


def chat_survey_token(invitation_id: int) -> tuple[str, str]:
    """The link a chat visitor is shown for a survey, and its stored hash.

    The secret is derived from the invitation with the server's key, so it can be handed to
    the visitor whenever their chat is shown without ever being stored or posted as text.
    """
    secret = salted_hmac(f"{SURVEY_SALT}.chat", str(invitation_id), algorithm="sha256").hexdigest()
    return signing.TimestampSigner(salt=SURVEY_SALT).sign(secret), hash_token(secret)


def survey_token_hash(signed: str, max_age_days: int) -> str:
    """The stored hash a link's token must match; raises InvalidLink if forged or too old."""
    try:
        secret = signing.TimestampSigner(salt=SURVEY_SALT).unsign(
            signed, max_age=max_age_days * 86400
        )
    except signing.SignatureExpired as error:
        raise InvalidLink("This survey link has expired.") from error
    except signing.BadSignature as error:
        raise InvalidLink("This survey link is not valid.") from error
    return hash_token(secret)


def unsubscribe_token(customer_id: int) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(customer_id))


def customer_id_from_unsubscribe(token: str) -> int:
    try:
        return int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError) as error:
        raise InvalidLink("This unsubscribe link is not valid.") from error
