"""A web-chat visitor: who they are (a random identity in a signed token), what they may send,
and the errors a chat request can meet."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

SIGNING_SALT = "careloop.conversations.chat.visitor"


MAX_TEXT_CHARS = 4000


MAX_NAME_CHARS = 200


MAX_EMAIL_CHARS = 254


class ChatError(Exception):
    """A chat request that cannot be accepted; the text is written for the visitor."""

    status = 400
    field = ""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidChatToken(ChatError):
    status = 401


class TooManyMessages(ChatError):
    status = 429


class ClientIdClash(ChatError):
    status = 409


class MessageNotFiled(ChatError):
    """The message is kept raw but could not be filed yet; a retry with the same id files it."""

    status = 503


@dataclass(frozen=True)
class ChatVisitor:
    identity: str

    @property
    def token(self) -> str:
        return signing.Signer(salt=SIGNING_SALT).sign(self.identity)


def new_visitor() -> ChatVisitor:
    return ChatVisitor(secrets.token_urlsafe(24))


def visitor_from_token(token: str) -> ChatVisitor:
    """The visitor a token was issued to; raises InvalidChatToken for anything forged or empty."""
    try:
        identity = signing.Signer(salt=SIGNING_SALT).unsign(token.strip())
    except signing.BadSignature as error:
        raise InvalidChatToken("This chat session is not valid; reload the page.") from error
    return ChatVisitor(identity)


@dataclass(frozen=True)
class ChatMessageInput:
    client_message_id: uuid.UUID
    text: str
    name: str = ""
    email: str = ""


def _optional_string(payload: dict[str, Any], field: str) -> str:
    value = payload.get(field, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ChatError(f"“{field}” must be text.", field=field)
    return value.strip()


def parse_message_input(payload: object) -> ChatMessageInput:
    """Validate what the widget sent; raises ChatError naming the field at fault."""
    if not isinstance(payload, dict):
        raise ChatError("Send the message as a JSON object.")
    try:
        client_message_id = uuid.UUID(str(payload.get("client_message_id", "")))
    except ValueError as error:
        raise ChatError(
            "Every message needs a client_message_id (a UUID) so retries are safe.",
            field="client_message_id",
        ) from error
    text = _optional_string(payload, "text")
    if not text:
        raise ChatError("Write a message before sending.", field="text")
    if len(text) > MAX_TEXT_CHARS:
        raise ChatError(
            f"Messages can be at most {MAX_TEXT_CHARS} characters; this one has {len(text)}.",
            field="text",
        )
    name = _optional_string(payload, "name")
    if len(name) > MAX_NAME_CHARS:
        raise ChatError(f"Names can be at most {MAX_NAME_CHARS} characters.", field="name")
    email = _optional_string(payload, "email")
    if email:
        try:
            if len(email) > MAX_EMAIL_CHARS:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError as error:
            raise ChatError("That email address does not look right.", field="email") from error
    return ChatMessageInput(client_message_id, text, name, email)
