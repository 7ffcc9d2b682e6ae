from __future__ import annotations

import base64
from email import policy
from email.message import Message

import pytest

from careloop.conversations.channels import email_parsing
from careloop.conversations.channels.email_parsing import (
    ParsedEmail,
    dedupe_key_for,
    html_to_text,
    parse_email,
    strip_quoted_reply,
)
from careloop.conversations.sanitise import safe_filename


def test_quoted_history_after_an_on_wrote_line_is_dropped() -> None:
    text = (
        "Still broken, sorry.\n\n"
        "On Mon, 23 Nov 2026 at 10:00, Care <care@x.test> wrote:\n> Try again\n>\n> Care team"
    )
    assert strip_quoted_reply(text) == "Still broken, sorry."


def test_a_wrapped_on_wrote_introduction_is_recognised() -> None:
    text = "Thanks!\nOn Mon, 23 Nov 2026 at 10:00, Care Team\n<care@x.test> wrote:\n> Try again"
    assert strip_quoted_reply(text) == "Thanks!"


def test_answers_written_between_quoted_lines_are_all_kept() -> None:
    text = "On Monday, Care wrote:\n> Which order?\nOrder 42.\n> And the colour?\nBlue."
    assert strip_quoted_reply(text) == text


def test_html_becomes_readable_text_without_script_content() -> None:
    text = html_to_text("<p>Hello <b>there</b></p><script>steal()</script><div>a&amp;b<br>c</div>")
    assert text == "Hello there\na&b\nc"


def test_html_only_email_keeps_html_and_derives_text() -> None:
    parsed = parse_email(
        b"From: a@b.test\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<p>Hi <img src=x onerror=alert(1)></p><p>Order 42</p>"
    )
    assert parsed.body_text == "Hi\nOrder 42"
    assert "<p>Hi" in parsed.body_html


def test_plain_text_is_preferred_over_html() -> None:
    parsed = parse_email(
        b"From: a@b.test\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nplain words\r\n"
        b"--b\r\nContent-Type: text/html\r\n\r\n<p>html words</p>\r\n--b--\r\n"
    )
    assert (parsed.body_text, parsed.body_html) == ("plain words", "")


def test_unknown_charset_is_read_and_noted() -> None:
    parsed = parse_email(
        b"From: a@b.test\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\ncaf\xc3\xa9"
    )
    assert parsed.body_text == "caf\u00e9"
    assert any("Unknown charset" in problem for problem in parsed.problems)


def test_body_not_valid_in_its_declared_charset_is_read_and_noted() -> None:
    parsed = parse_email(
        b"From: a@b.test\r\nContent-Type: text/plain; charset=utf-8\r\n\r\ncaf\xe9"
    )
    assert parsed.body_text == "caf\u00e9"
    assert any("not valid utf-8" in problem for problem in parsed.problems)


def test_raw_utf8_and_encoded_word_headers_are_decoded() -> None:
    parsed = parse_email(
        "From: J\u00f6rg <Joerg@Example.TEST>\r\n".encode()
        + b"Subject: =?utf-8?Q?Gr=C3=BC=C3=9Fe?=\r\n\r\nhi"
    )
    assert (parsed.sender_name, parsed.sender_address) == ("J\u00f6rg", "joerg@example.test")
    assert parsed.subject == "Gr\u00fc\u00dfe"


def test_null_bytes_never_reach_the_parsed_text() -> None:
    parsed = parse_email(b"From: a@b.test\r\nSubject: a\x00b\r\n\r\nbody\x00text")
    assert "\x00" not in parsed.subject + parsed.body_text


def test_in_reply_to_and_references_are_collected() -> None:
    parsed = parse_email(
        b"From: a@b.test\r\nIn-Reply-To: <one@x>\r\nReferences: <zero@x>\r\n <one@x>\r\n\r\nhi"
    )
    assert parsed.references == ["<one@x>", "<zero@x>", "<one@x>"]


def test_dedupe_key_is_the_message_id_or_a_digest_of_the_bytes() -> None:
    assert dedupe_key_for(b"Message-ID:  <abc@x.test> \r\n\r\nbody") == "<abc@x.test>"
    without = dedupe_key_for(b"Subject: no id\r\n\r\nbody")
    assert without.startswith("sha256:") and len(without) == len("sha256:") + 64
    assert dedupe_key_for(b"Subject: no id\r\n\r\nother body") != without


def test_an_unusable_message_id_still_dedupes_the_same_email() -> None:
    raw = b"Message-ID: \x00" + b"m" * 2000 + b"\r\n\r\nbody"
    assert dedupe_key_for(raw).startswith("msgid-sha256:")
    assert dedupe_key_for(raw + b" resent") == dedupe_key_for(raw)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Windows\\evil.dll", "evil.dll"),
        ("bad\x00name\x07.txt", "badname_.txt"),
        ('what?"*|.pdf', "what_.pdf"),
        ("...", "attachment"),
        ("", "attachment"),
    ],
)
def test_attachment_names_lose_paths_and_unsafe_characters(given: str, expected: str) -> None:
    assert safe_filename(given) == expected


def test_long_attachment_names_are_shortened_keeping_the_extension() -> None:
    name = safe_filename("x" * 400 + ".pdf")
    assert len(name) == 255 and name.endswith("x.pdf")


def _with_attachment(content: bytes) -> bytes:
    return (
        b"From: a@b.test\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--b\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="../r.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(content) + b"--b--\r\n"
    )


def test_attachments_come_with_type_and_safe_name() -> None:
    parsed = parse_email(_with_attachment(b"%PDF-1.4 data"))
    assert parsed.body_text == "see attached"
    [attachment] = parsed.attachments
    assert (attachment.filename, attachment.content_type) == ("r.pdf", "application/pdf")
    assert attachment.content == b"%PDF-1.4 data"


def test_attachments_over_the_size_limit_are_skipped_and_noted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(email_parsing, "MAX_ATTACHMENT_BYTES", 10)
    parsed = parse_email(_with_attachment(b"more than ten bytes"))
    assert parsed.attachments == []
    assert any("'r.pdf' skipped" in problem for problem in parsed.problems)


def test_deeply_nested_parts_are_read_without_recursion_errors() -> None:
    body, content_type = b"deep text", b"text/plain"
    for level in range(300):
        boundary = f"b{level}".encode()
        body = b"--%s\r\nContent-Type: %s\r\n\r\n%s\r\n--%s--" % (
            boundary,
            content_type,
            body,
            boundary,
        )
        content_type = b"multipart/mixed; boundary=" + boundary
    parsed = parse_email(b"From: a@b.test\r\nContent-Type: " + content_type + b"\r\n\r\n" + body)
    assert any("nested deeper" in problem for problem in parsed.problems)


def test_an_email_the_modern_parser_chokes_on_is_read_by_the_legacy_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read_headers = email_parsing._read_headers

    def fussy(message: Message, parsed: ParsedEmail) -> None:
        if message.policy is policy.default:
            raise IndexError("a parser bug")
        read_headers(message, parsed)

    monkeypatch.setattr(email_parsing, "_read_headers", fussy)
    parsed = parse_email(b"From: a@b.test\r\nSubject: hi\r\n\r\nbody")
    assert (parsed.sender_address, parsed.subject, parsed.body_text) == ("a@b.test", "hi", "body")
    assert "Read with the legacy parser after: IndexError." in parsed.problems
