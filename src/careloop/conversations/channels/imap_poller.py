"""Fetching new mail from an IMAP mailbox.

Each unseen email is fetched without marking it read (BODY.PEEK), stored, and only then
marked as seen or moved away: a crash or a database outage leaves it unseen, and the next
poll fetches it again (which the Message-ID makes harmless).
"""

from __future__ import annotations

import imaplib
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from careloop.conversations.channels.email_inbound import MAX_RAW_EMAIL_BYTES, ingest_email

logger = logging.getLogger(__name__)

IMAP_TIMEOUT_SECONDS = 60
BATCH_SIZE = 200


class MailboxNotConfigured(Exception):
    pass


@dataclass(frozen=True)
class Mailbox:
    host: str
    user: str
    password: str
    port: int = 0
    folder: str = "INBOX"
    ssl: bool = True
    # Fetched mail moves here when set; otherwise it stays, marked \Seen.
    done_folder: str = ""

    @classmethod
    def from_settings(cls) -> Mailbox:
        if not settings.CARELOOP_IMAP_HOST:
            raise MailboxNotConfigured(
                "Set CARELOOP_IMAP_HOST, CARELOOP_IMAP_USER and CARELOOP_IMAP_PASSWORD "
                "(and optionally CARELOOP_IMAP_PORT, _FOLDER, _SSL) to poll a mailbox."
            )
        return cls(
            host=settings.CARELOOP_IMAP_HOST,
            user=settings.CARELOOP_IMAP_USER,
            password=settings.CARELOOP_IMAP_PASSWORD,
            port=settings.CARELOOP_IMAP_PORT,
            folder=settings.CARELOOP_IMAP_FOLDER or "INBOX",
            ssl=settings.CARELOOP_IMAP_SSL,
            done_folder=settings.CARELOOP_IMAP_DONE_FOLDER,
        )

    def connect(self) -> imaplib.IMAP4:
        if self.ssl:
            return imaplib.IMAP4_SSL(self.host, self.port or 993, timeout=IMAP_TIMEOUT_SECONDS)
        return imaplib.IMAP4(self.host, self.port or 143, timeout=IMAP_TIMEOUT_SECONDS)


@dataclass
class PollSummary:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    too_large: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class ImapError(Exception):
    pass


def _check(response: tuple[str, list[Any]], doing: str) -> list[Any]:
    status, data = response
    if status != "OK":
        raise ImapError(f"IMAP {doing} failed: {data!r:.300}")
    return data


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _raw_email(data: list[object]) -> bytes | None:
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def _size_of(data: list[object]) -> int:
    text = b" ".join(item if isinstance(item, bytes) else b"" for item in data)
    match = re.search(rb"RFC822\.SIZE (\d+)", text)
    return int(match.group(1)) if match else 0


def poll_mailbox(mailbox: Mailbox, batch_size: int = BATCH_SIZE) -> PollSummary:
    """Fetch, store and put away up to `batch_size` unseen emails; safe to run twice."""
    summary = PollSummary()
    connection = mailbox.connect()
    try:
        _check(connection.login(mailbox.user, mailbox.password), "login")
        _check(connection.select(_quoted(mailbox.folder)), f"select {mailbox.folder!r}")
        found = _check(connection.uid("SEARCH", "UNSEEN"), "search")
        uids = found[0].split() if found and isinstance(found[0], bytes) else []
        for uid in uids[:batch_size]:
            _fetch_one(connection, mailbox, uid.decode(), summary)
        connection.close()
    finally:
        try:
            connection.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.warning("IMAP logout from %s failed", mailbox.host)
    return summary


def _fetch_one(connection: imaplib.IMAP4, mailbox: Mailbox, uid: str, summary: PollSummary) -> None:
    size = _size_of(_check(connection.uid("FETCH", uid, "(RFC822.SIZE)"), "fetch size"))
    if size > MAX_RAW_EMAIL_BYTES:
        # Left in the mailbox, flagged for a person, rather than fetched again on every poll.
        logger.warning("Email UID %s in %s is %s bytes; left flagged", uid, mailbox.folder, size)
        _check(connection.uid("STORE", uid, "+FLAGS", "(\\Seen \\Flagged)"), "flag")
        summary.too_large += 1
        return
    raw = _raw_email(_check(connection.uid("FETCH", uid, "(BODY.PEEK[])"), "fetch"))
    if raw is None:
        logger.warning("IMAP returned no body for UID %s", uid)
        return
    summary.fetched += 1
    stored = ingest_email(raw)
    summary.duplicates += stored.duplicate
    summary.stored += not stored.duplicate
    _put_away(connection, mailbox, uid)


def _put_away(connection: imaplib.IMAP4, mailbox: Mailbox, uid: str) -> None:
    _check(connection.uid("STORE", uid, "+FLAGS", "(\\Seen)"), "mark seen")
    if not mailbox.done_folder:
        return
    target = _quoted(mailbox.done_folder)
    if "MOVE" in connection.capabilities:
        _check(connection.uid("MOVE", uid, target), "move")
        return
    _check(connection.uid("COPY", uid, target), "copy")
    _check(connection.uid("STORE", uid, "+FLAGS", "(\\Deleted)"), "delete")
    if "UIDPLUS" in connection.capabilities:
        _check(connection.uid("EXPUNGE", uid), "expunge")
    else:
        connection.expunge()
