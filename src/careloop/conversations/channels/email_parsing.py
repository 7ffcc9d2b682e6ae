"""Reading raw RFC 822 bytes into plain values, whatever state the email arrives in.

Nothing here touches the database. Every function copes with hostile input: broken encodings,
unknown charsets, huge headers, missing headers, deep nesting, NUL bytes. What could not be
read cleanly is listed in `ParsedEmail.problems` rather than raised.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import Message as MimeMessage
from email.parser import BytesParser
from email.utils import getaddresses

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from careloop.conversations.sanitise import clean_text, safe_filename

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Headers are decoded from at most this many characters: a 200 KB Subject is kept in the raw
# record, but parsing all of it only costs time (the parsers are super-linear on some input).
MAX_HEADER_CHARS = 8192
MAX_PARTS = 500
MAX_DEPTH = 100

MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,500}>")
# The sender's mail client introduces quoted history with "On <date>, <name> wrote:".
QUOTE_INTRODUCTION = re.compile(r"^\s*On\b.{0,400}\bwrote:\s*$", re.IGNORECASE)
BLOCK_END = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h[1-6]|/blockquote|/pre|hr)\b[^>]*>", re.I)


@dataclass
class EmailAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class ParsedEmail:
    message_id: str = ""
    subject: str = ""
    sender_address: str = ""
    sender_name: str = ""
    from_header: str = ""
    recipients: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    body_text: str = ""
    body_html: str = ""
    attachments: list[EmailAttachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def note(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)


def _from_8bit(value: str) -> str:
    """Header text with raw 8-bit bytes (kept by the parser as surrogates) read as UTF-8."""
    data = value.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def decode_header_value(raw: str) -> str:
    """One line of readable text from a raw header value (encoded words, 8-bit, folding)."""
    raw = raw[:MAX_HEADER_CHARS]
    try:
        text = str(make_header(decode_header(raw)))
    except Exception:  # any malformed encoded word falls back to the raw text
        text = raw
    text = _from_8bit(text)
    return " ".join(clean_text(text).split())


def _raw_headers(message: MimeMessage, name: str) -> list[str]:
    # raw_items() skips the policy's header parsing, which can be slow or raise on junk.
    wanted = name.lower()
    return [str(value) for key, value in message.raw_items() if key.lower() == wanted]


def dedupe_key_for(raw: bytes) -> str:
    """The Message-ID when the email has a usable one, else a digest of its bytes."""
    header_section = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
    headers = BytesParser(policy=policy.compat32).parsebytes(header_section, headersonly=True)
    values = _raw_headers(headers, "Message-ID")
    value = values[0].strip() if values else ""
    if match := MESSAGE_ID.search(value[:MAX_HEADER_CHARS]):
        return match.group(0)
    if value:
        # Present but unusable (too long, binary): still the same key when the email repeats.
        digest = hashlib.sha256(value.encode("utf-8", "surrogateescape")).hexdigest()
        return f"msgid-sha256:{digest}"
    return f"sha256:{hashlib.sha256(raw).hexdigest()}"


def message_ids_in(value: str) -> list[str]:
    return MESSAGE_ID.findall(value[: MAX_HEADER_CHARS * 4])


def _valid_address(address: str) -> str:
    address = clean_text(address).strip().lower()
    if len(address) > 254:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def html_to_text(markup: str) -> str:
    """Readable plain text from HTML: block ends become line breaks, scripts and styles vanish."""
    with_breaks = BLOCK_END.sub(lambda match: match.group(0) + "\n", markup)
    stripped = nh3.clean(with_breaks, tags=set(), clean_content_tags={"script", "style", "title"})
    lines = [" ".join(line.split()) for line in html.unescape(stripped).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def strip_quoted_reply(text: str) -> str:
    """The new part of a reply: drops a trailing "On ... wrote:" line and the ">" lines after it.

    Only when everything after the introduction is quoted, so nothing the customer wrote
    in between is lost; the full text stays in the raw record either way.
    """
    lines = text.splitlines()
    for index in range(len(lines)):
        for span in (1, 2):  # clients wrap long introductions onto a second line
            introduction = " ".join(lines[index : index + span])
            rest = lines[index + span :]
            if not QUOTE_INTRODUCTION.match(introduction) or not any(rest):
                continue
            if all(line.startswith(">") for line in rest if line.strip()):
                kept = "\n".join(lines[:index]).rstrip()
                return kept or text
    return text


def _declared_charset(part: MimeMessage, parsed: ParsedEmail) -> str | None:
    try:
        declared = part.get_content_charset()
    except Exception:  # RFC 2231 parameters with junk inside
        declared = None
    if not declared:
        return None
    charset = str(declared)
    try:
        codecs.lookup(charset)
    except (LookupError, ValueError):  # ValueError: a NUL inside the name
        parsed.note(f"Unknown charset {clean_text(charset[:60])!r}; read as UTF-8/Windows-1252.")
        return None
    return charset


def _decode_part_text(part: MimeMessage, parsed: ParsedEmail) -> str:
    """The part's text in its declared charset; else UTF-8, else Windows-1252 (never fails)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = _declared_charset(part, parsed)
    if charset is not None:
        try:
            return clean_text(payload.decode(charset))
        except Exception:  # UnicodeDecodeError, or codecs (zlib, base64) that are not text
            parsed.note(f"Body is not valid {charset[:60]}; read as UTF-8/Windows-1252.")
    try:
        return clean_text(payload.decode("utf-8"))
    except UnicodeDecodeError:
        if charset is None and not payload.isascii():
            parsed.note("Body has 8-bit text but no charset; read as Windows-1252.")
        return clean_text(payload.decode("cp1252", "replace"))


def _leaf_parts(message: MimeMessage, parsed: ParsedEmail) -> list[MimeMessage]:
    """Every non-multipart part, depth first, without recursion (nesting can be hostile)."""
    leaves: list[MimeMessage] = []
    stack: list[tuple[MimeMessage, int]] = [(message, 0)]
    seen = 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            parsed.note(f"More than {MAX_PARTS} MIME parts; the rest were not read.")
            break
        if part.is_multipart():
            if depth >= MAX_DEPTH:
                parsed.note(f"MIME parts nested deeper than {MAX_DEPTH}; inner parts not read.")
                continue
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend(
                    (child, depth + 1)
                    for child in reversed(children)
                    if isinstance(child, MimeMessage)
                )
            continue
        leaves.append(part)
    return leaves


def _is_attachment(part: MimeMessage) -> bool:
    disposition = str(part.get("Content-Disposition", "") or "").split(";")[0].strip().lower()
    if disposition == "attachment" or part.get_filename():
        return True
    return part.get_content_maintype() not in ("text", "multipart", "message")


def _read_parts(message: MimeMessage, parsed: ParsedEmail) -> None:
    html_body = ""
    for part in _leaf_parts(message, parsed):
        for defect in part.defects:
            parsed.note(f"MIME defect: {type(defect).__name__}.")
        if _is_attachment(part):
            _read_attachment(part, parsed)
            continue
        content_type = part.get_content_type()
        if content_type == "text/plain" and not parsed.body_text:
            parsed.body_text = _decode_part_text(part, parsed)
        elif content_type == "text/html" and not html_body:
            html_body = _decode_part_text(part, parsed)
    if not parsed.body_text.strip() and html_body:
        parsed.body_html = html_body
        parsed.body_text = html_to_text(html_body)
    parsed.body_text = strip_quoted_reply(parsed.body_text.replace("\r\n", "\n").strip())


def _read_attachment(part: MimeMessage, parsed: ParsedEmail) -> None:
    content = part.get_payload(decode=True)
    if not isinstance(content, bytes):
        return
    try:
        filename = safe_filename(decode_header_value(str(part.get_filename() or "")))
    except Exception:  # RFC 2231 parameters with junk charsets
        filename = "attachment"
    if len(content) > MAX_ATTACHMENT_BYTES:
        parsed.note(
            f"Attachment {filename!r} skipped: {len(content):,} bytes is over the "
            f"{MAX_ATTACHMENT_BYTES:,} byte limit."
        )
        return
    content_type = clean_text(part.get_content_type())[:120]
    parsed.attachments.append(EmailAttachment(filename, content_type, content))


def _read_headers(message: MimeMessage, parsed: ParsedEmail) -> None:
    def first(name: str) -> str:
        values = _raw_headers(message, name)
        return values[0] if values else ""

    parsed.subject = decode_header_value(first("Subject"))[:300]
    message_id = message_ids_in(first("Message-ID"))
    parsed.message_id = message_id[0] if message_id else ""
    parsed.references = message_ids_in(first("In-Reply-To")) + message_ids_in(first("References"))

    parsed.from_header = decode_header_value(first("From"))
    for name, address in getaddresses([parsed.from_header]):
        if valid := _valid_address(address):
            parsed.sender_address, parsed.sender_name = valid, clean_text(name).strip()[:200]
            break
    recipient_headers = [
        decode_header_value(value)
        for name in ("To", "Cc", "Delivered-To", "X-Original-To")
        for value in _raw_headers(message, name)
    ]
    parsed.recipients = [
        address.lower() for _, address in getaddresses(recipient_headers) if "@" in address
    ]


def parse_email(raw: bytes) -> ParsedEmail:
    """Everything careloop needs from an email, read with the modern parser and, when that
    fails on broken input, again with the lenient legacy one."""
    failure: Exception | None = None
    for email_policy in (policy.default, policy.compat32):
        parsed = ParsedEmail()
        lenient = email_policy is policy.compat32
        try:
            message = BytesParser(policy=email_policy).parsebytes(raw)
            for defect in message.defects:
                parsed.note(f"MIME defect: {type(defect).__name__}.")
            _read_headers(message, parsed)
            _read_parts(message, parsed)
        except Exception as error:
            if not lenient:
                failure = error  # try the lenient parser before giving up
                continue
            # Keep what was read (the sender, above all) so the customer is still heard.
            parsed.note(f"Could not be read completely: {type(error).__name__}: {str(error)[:200]}")
        if failure is not None:
            parsed.note(f"Read with the legacy parser after: {type(failure).__name__}.")
        return parsed
    raise AssertionError("unreachable: the lenient pass always returns")
