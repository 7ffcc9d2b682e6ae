"""200 malformed and hostile emails, built deterministically, for the inbound email tests.

Each is raw RFC 822 bytes as a relay would post them. They cover what mail servers really
deliver (broken encodings, unknown charsets, missing headers) and what attackers send (script
in HTML, path tricks in filenames, header injection, absurd sizes and nesting).
"""

from __future__ import annotations

import base64
import random
from collections.abc import Callable
from dataclasses import dataclass

CRLF = b"\r\n"
OVERSIZE_BYTES = 26 * 1024 * 1024


@dataclass(frozen=True)
class HostileEmail:
    category: str
    raw: bytes

    @property
    def oversize(self) -> bool:
        return len(self.raw) > 25 * 1024 * 1024


def _email(headers: list[bytes], body: bytes) -> bytes:
    return CRLF.join(headers) + CRLF + CRLF + body


def _basic(n: int, *extra: bytes, message_id: bool = True) -> list[bytes]:
    headers = [
        f"From: Hostile Sender {n} <sender{n}@hostile.test>".encode(),
        b"To: support@careloop.test",
        f"Subject: Hostile email {n}".encode(),
        b"Date: Mon, 23 Nov 2026 10:00:00 +0000",
    ]
    if message_id:
        headers.append(f"Message-ID: <hostile-{n}@hostile.test>".encode())
    return headers + list(extra)


def unknown_charset(n: int, v: int, rng: random.Random) -> bytes:
    charset = [b"x-klingon", b"utf-9", b'"', b"", b"unicode-1-1-utf-7-ish", b"\xff\xfe", b"a" * 300]
    declared = charset[v % len(charset)]
    return _email(
        _basic(n, b"Content-Type: text/plain; charset=" + declared),
        f"body {n} ".encode() + bytes(range(128, 256)),
    )


def lying_charset(n: int, v: int, rng: random.Random) -> bytes:
    cases = [
        (b"utf-8", "caf\u00e9 cr\u00e8me".encode("latin-1")),
        (b"us-ascii", "na\u00efve \u2603".encode()),
        (b"utf-16", b"\x00a\x00b\x00"),  # odd length
        (b"zlib", b"not compressed at all"),  # a codec, but no text encoding
        (b"base64", b"%%%"),
        (b"shift_jis", b"\x81\x39\xff\xfe"),
        (b"utf-8", b"\xed\xa0\x80 surrogate encoded as utf-8"),
        (b"iso-2022-jp", b"\x1b$B\xff\xff\x1b(B"),
    ]
    charset, body = cases[v % len(cases)]
    return _email(_basic(n, b"Content-Type: text/plain; charset=" + charset), body)


def invalid_base64(n: int, v: int, rng: random.Random) -> bytes:
    bodies = [
        b"!!!@@@###",
        b"SGVsbG8",
        b"SGVs bG8=====",
        b"=",
        b"\x00\x01\x02",
        b"QUJD\r\n!!!\r\nREVG",
    ]
    return _email(
        _basic(
            n,
            b"Content-Type: text/plain; charset=utf-8",
            b"Content-Transfer-Encoding: base64",
        ),
        bodies[v % len(bodies)] + str(n).encode(),
    )


def invalid_quoted_printable(n: int, v: int, rng: random.Random) -> bytes:
    bodies = [b"=ZZ=YY broken", b"soft break at end=", b"=\r\n=\r\n=", b"=E9=", b"=0", b"=\xff"]
    return _email(
        _basic(
            n,
            b"Content-Type: text/plain; charset=iso-8859-1",
            b"Content-Transfer-Encoding: quoted-printable",
        ),
        bodies[v % len(bodies)] + f" {n}".encode(),
    )


def huge_header_line(n: int, v: int, rng: random.Random) -> bytes:
    name = [b"X-Junk", b"Received", b"References", b"To", b"Cc", b"Subject", b"From", b"X-Y"][v % 8]
    line = name + b": " + (b"<" + b"a" * 60 + b"@x> ") * (200 * 1024 // 65)
    headers = [h for h in _basic(n) if not h.lower().startswith(name.lower() + b":")]
    return _email([*headers, line], f"huge header {n}".encode())


def missing_headers(n: int, v: int, rng: random.Random) -> bytes:
    dropped = [b"From", b"Date", b"Message-ID", b"Subject", b"To", b"From Date", b"all", b"To From"]
    drop = dropped[v % len(dropped)]
    headers = (
        [] if drop == b"all" else [h for h in _basic(n) if h.split(b":")[0] not in drop.split(b" ")]
    )
    return _email(headers, f"headers missing {n}".encode())


def nested_multipart(n: int, v: int, rng: random.Random) -> bytes:
    depth = 50 + v
    body = f"innermost text {n}".encode()
    content_type = b"Content-Type: text/plain; charset=utf-8"
    for level in range(depth):
        boundary = f"level{level}-{n}".encode()
        closing = b"" if v % 3 == 1 else b"--" + boundary + b"--"
        body = CRLF.join([b"--" + boundary, content_type, b"", body, closing])
        content_type = b'Content-Type: multipart/mixed; boundary="' + boundary + b'"'
    return _email(_basic(n, content_type), body)


HOSTILE_HTML = [
    b"<p>Hi</p><script>alert(document.cookie)</script>",
    b'<img src="x" onerror="alert(1)">picture',
    b'<a href="javascript:alert(1)">click</a>',
    b'<a href="jav&#x09;ascript:alert(1)">tab trick</a><a href=" JAVASCRIPT:alert(2)">x</a>',
    b'<svg onload="alert(1)"><circle/></svg><body onload=alert(2)>',
    b'<iframe srcdoc="<script>alert(1)</script>"></iframe><object data="x.swf"></object>',
    b'<div style="background:url(javascript:alert(1))" onmouseover="x()">hover</div>',
    b"<scr<script>ipt>alert(1)</scr</script>ipt>"
    b"<meta http-equiv=refresh content='0;url=javascript:x'>",
]


def hostile_html(n: int, v: int, rng: random.Random) -> bytes:
    return _email(
        _basic(n, b"Content-Type: text/html; charset=utf-8"),
        b"<html><body>" + HOSTILE_HTML[v % len(HOSTILE_HTML)] + f"{n}</body></html>".encode(),
    )


def null_bytes(n: int, v: int, rng: random.Random) -> bytes:
    where = v % 4
    headers = _basic(n)
    if where == 0:
        headers[2] = b"Subject: null \x00 inside"
    elif where == 1:
        headers[0] = f"From: Null\x00Name <sender{n}@hostile.test>".encode()
    elif where == 2:
        headers.append(b"Content-Type: text/plain; charset=utf-8\x00")
    body = b"body with \x00 nulls \x00\x00 " + str(n).encode()
    if where == 3:
        body = b"\x00" * 1000
    return _email(headers, body)


def eight_bit_headers(n: int, v: int, rng: random.Random) -> bytes:
    values = [
        "Subject: Gr\u00fc\u00dfe aus K\u00f6ln \u2603".encode(),
        "Subject: caf\u00e9".encode("latin-1"),
        f"From: J\u00f6rg M\u00fcller <joerg{n}@hostile.test>".encode(),
        f"From: J\u00f6rg <joerg{n}@hostile.test>".encode("latin-1"),
        b"Subject: \xff\xfe\xfd raw bytes",
        "To: \u0434\u0440\u0443\u0433 <support@careloop.test>".encode(),
        "X-\u00dcmlaut-Name: value".encode(),
        b"Subject: =?utf-8?B?" + base64.b64encode("\u00e9t\u00e9".encode()) + b"?= \xc3\xa9",
    ]
    value = values[v % len(values)]
    headers = [h for h in _basic(n) if not h.startswith(value.split(b":")[0] + b":")]
    return _email([*headers, value], f"8-bit headers {n}".encode())


def non_utf8_body(n: int, v: int, rng: random.Random) -> bytes:
    text = f"\u3053\u3093\u306b\u3061\u306f Gr\u00fc\u00dfe {n}"
    charsets = ["shift_jis", "euc-jp", "gb18030", "utf-16", "utf-32", "koi8-r", "cp1252", "big5"]
    charset = charsets[v % len(charsets)]
    body = text.encode(charset, "replace")
    return _email(_basic(n, f"Content-Type: text/plain; charset={charset}".encode()), body)


def duplicate_message_id(n: int, v: int, rng: random.Random) -> bytes:
    # Pairs share an id, with different content: the second is a duplicate by design.
    headers = [h for h in _basic(n) if not h.startswith(b"Message-ID")]
    headers.append(f"Message-ID: <duplicate-{v // 2}-{n - v}@hostile.test>".encode())
    return _email(headers, f"duplicate {v} of pair {v // 2}".encode())


def huge_subject(n: int, v: int, rng: random.Random) -> bytes:
    word = b"=?utf-8?B?" + base64.b64encode("\u00fcberlang ".encode()) + b"?="
    subjects = [
        b"Subject: " + b"A" * 300_000,
        b"Subject: " + b" ".join([word] * 10_000),
        b"Subject: " + b"\r\n ".join([b"folded"] * 20_000),
        b"Subject: " + b"=?utf-8?Q?" + b"=C3=A9" * 50_000 + b"?=",
    ]
    headers = [h for h in _basic(n) if not h.startswith(b"Subject")]
    return _email([*headers, subjects[v % len(subjects)]], f"huge subject {n}".encode())


def empty_body(n: int, v: int, rng: random.Random) -> bytes:
    if v % 4 == 0:
        return CRLF.join(_basic(n)) + CRLF
    if v % 4 == 1:
        return _email(_basic(n), b"")
    if v % 4 == 2:
        return _email(_basic(n, b'Content-Type: multipart/mixed; boundary="b"'), b"--b--")
    return _email(_basic(n, b"Content-Type: text/html"), b"<html></html>")


def binary_garbage(n: int, v: int, rng: random.Random) -> bytes:
    garbage = rng.randbytes(1000 + v * 5000)
    return f"{n}".encode() + garbage if v % 2 else garbage


def bad_encoded_words(n: int, v: int, rng: random.Random) -> bytes:
    words = [
        b"=?utf-8?B?####?=",
        b"=?unknown-charset?Q?hello?=",
        b"=?utf-8?Q?=FF=FE=FD?=",
        b"=?utf-8?X?bad-encoding?=",
        b"=?utf-8?B?" + b"QQ" * 5000,
        b"=??B??=",
        b"=?iso-8859-1*en?Q?caf=E9?=",
        b"=?utf-8?B?PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==?=",  # <script> in a subject
    ]
    headers = [h for h in _basic(n) if not h.startswith(b"Subject")]
    word = words[v % len(words)]
    return _email([*headers, b"Subject: " + word, b"From: " + word], f"words {n}".encode())


def broken_boundaries(n: int, v: int, rng: random.Random) -> bytes:
    cases = [
        (b'multipart/mixed; boundary="never"', b"no boundary in here"),
        (b'multipart/mixed; boundary="open"', b"--open\r\nContent-Type: text/plain\r\n\r\nno end"),
        (b"multipart/mixed", b"--x\r\n\r\nmissing boundary parameter\r\n--x--"),
        (b'multipart/mixed; boundary=""', b"--\r\n\r\nempty boundary\r\n----"),
        (b'multipart/alternative; boundary="a"', b"--a\r\n--a\r\n--a--\r\n--a--"),
        (b'multipart/mixed; boundary="' + b"b" * 500 + b'"', b"--" + b"b" * 500 + b"\r\n\r\nx"),
        (b'multipart/mixed; boundary="c"', b"--c\r\nContent-Type: multipart/mixed\r\n\r\n--c--"),
        (b'multipart/related; boundary="d"; type="text/html"', b"--d\r\n\r\n<b>x</b>\r\n--d--"),
    ]
    content_type, body = cases[v % len(cases)]
    return _email(_basic(n, b"Content-Type: " + content_type), body + f" {n}".encode())


def bad_addresses(n: int, v: int, rng: random.Random) -> bytes:
    senders = [
        b"<<<@@>>>",
        b"undisclosed-recipients:;",
        b"@",
        b"a@b@c",
        b"x" * 400 + b"@hostile.test",
        b'"quoted\\"name" <weird"local@hostile.test>',
        b"Comment (with <fake@addr>) real@",
        b"sender@[999.999.999.999]",
    ]
    headers = [h for h in _basic(n) if not h.startswith(b"From")]
    return _email([*headers, b"From: " + senders[v % len(senders)]], f"bad from {n}".encode())


def hostile_attachments(n: int, v: int, rng: random.Random) -> bytes:
    names = [
        b'filename="../../etc/passwd"',
        b'filename="evil\x00.txt.exe"',
        b'filename="' + b"long" * 300 + b'.pdf"',
        b"filename*=x-unknown''%FF%FE.txt",
        b'filename="C:\\\\Windows\\\\system32\\\\evil.dll"',
        b'filename="<script>alert(1)</script>.html"',
        b'filename=""',
        b"filename*=utf-8''%E2%98%83%20snowman.txt",
    ]
    boundary = f"att-{n}".encode()
    content = base64.b64encode(b"<script>alert(1)</script>" + rng.randbytes(64))
    body = CRLF.join(
        [
            b"--" + boundary,
            b"Content-Type: text/plain; charset=utf-8",
            b"",
            f"see attached {n}".encode(),
            b"--" + boundary,
            b"Content-Type: text/html",
            b"Content-Disposition: attachment; " + names[v % len(names)],
            b"Content-Transfer-Encoding: base64",
            b"",
            content,
            b"--" + boundary + b"--",
        ]
    )
    return _email(_basic(n, b'Content-Type: multipart/mixed; boundary="' + boundary + b'"'), body)


def sizes(n: int, v: int, rng: random.Random) -> bytes:
    if v < 2:  # over the endpoint's 25 MB limit: refused with 413 by design
        return _email(_basic(n), b"x" * OVERSIZE_BYTES)
    if v == 2:  # one attachment over the 10 MB per-file limit: skipped and noted
        boundary = b"big"
        body = CRLF.join(
            [
                b"--big",
                b"Content-Type: text/plain",
                b"",
                b"big attachment follows",
                b"--big",
                b'Content-Type: application/octet-stream; name="big.bin"',
                b"Content-Transfer-Encoding: base64",
                b"",
                base64.encodebytes(b"\x00" * (11 * 1024 * 1024)),
                b"--big--",
            ]
        )
        return _email(
            _basic(n, b'Content-Type: multipart/mixed; boundary="' + boundary + b'"'), body
        )
    return _email(_basic(n), (b"line of text " * 100 + CRLF) * (v * 200))


def header_injection(n: int, v: int, rng: random.Random) -> bytes:
    cases = [
        b"Subject: hello\rBcc: victim@hostile.test",
        b"Subject: hello\nBcc: victim@hostile.test",
        b"no colon in this header line",
        b" continuation line with nothing before",
        b"Subject:",
        b": empty name",
        b"Subject: [#' OR 1=1 --] [#../../etc] [#" + b"f" * 40 + b"]",
        b"To: support+<script>@careloop.test, support+%00@careloop.test",
    ]
    headers = [h for h in _basic(n) if not h.startswith(b"Subject")]
    if v % len(cases) == 3:
        return _email([cases[3], *headers], f"injection {n}".encode())
    return _email([*headers, cases[v % len(cases)]], f"injection {n}".encode())


def line_endings(n: int, v: int, rng: random.Random) -> bytes:
    text = CRLF.join(_basic(n)) + CRLF + CRLF + f"line endings {n}".encode()
    cases = [
        text.replace(CRLF, b"\n"),
        text.replace(CRLF, b"\r"),
        text.replace(CRLF, b"\n\r"),
        text + b"\r\n" * 10_000,
        text + b"x" * 100_000,  # one 100 KB body line
        text.replace(b"\r\n\r\n", b"\r\n \r\n"),  # whitespace-only separator line
        text.replace(b": ", b":"),
        text.replace(b": ", b"  :  "),
    ]
    return cases[v % len(cases)]


def threading_junk(n: int, v: int, rng: random.Random) -> bytes:
    cases = [
        b"In-Reply-To: " + b" ".join(f"<id{i}@x>".encode() for i in range(10_000)),
        b"References: <<<>>> <> <@> <a@b",
        b"In-Reply-To: <does-not-exist@nowhere.test>",
        b"In-Reply-To: \x00<x@y>",
        b"References: " + b"<" + b"r" * 600 + b"@x>",
        b"In-Reply-To: " + "<\u00fcnicode@x>".encode(),
        b"Message-ID: <second-id@hostile.test>",  # two Message-IDs
        b"Message-ID: " + b"<" + b"m" * 1000 + b"@x>",
    ]
    return _email(_basic(n, cases[v % len(cases)]), f"threading {n}".encode())


def content_type_junk(n: int, v: int, rng: random.Random) -> bytes:
    types = [
        b";;;",
        b"text/",
        b"/plain",
        b"text/plain; charset",
        b"message/rfc822",
        b"application/octet-stream",
        b'text/plain; format=flowed; delsp=yes; charset="utf-8"; charset=latin1',
        b"TEXT/HTML; CHARSET=UTF-8",
    ]
    body = b"<p>x</p><script>y()</script>" if v == 7 else f"content type {n}".encode()
    return _email(_basic(n, b"Content-Type: " + types[v % len(types)]), body)


def nested_messages(n: int, v: int, rng: random.Random) -> bytes:
    inner = _email(_basic(n * 1000), f"innermost forwarded {n}".encode())
    for level in range(10 + v * 5):
        inner = _email(
            _basic(n * 1000 + level + 1, b"Content-Type: message/rfc822", message_id=False),
            inner,
        )
    return _email(_basic(n, b"Content-Type: message/rfc822"), inner)


def transfer_encoding_junk(n: int, v: int, rng: random.Random) -> bytes:
    encodings = [b"x-uuencode", b"gzip", b"8bit", b"binary", b"7bit", b"BASE64 ", b"", b"q-p"]
    return _email(
        _basic(n, b"Content-Transfer-Encoding: " + encodings[v % len(encodings)]),
        b"begin 644 x\n" + bytes(range(256)) + f" {n}".encode(),
    )


Builder = Callable[[int, int, random.Random], bytes]
# Each builder with how many variants of it to make: 200 in all.
BUILDERS: list[tuple[Builder, int]] = [
    (unknown_charset, 8),
    (lying_charset, 8),
    (invalid_base64, 8),
    (invalid_quoted_printable, 8),
    (huge_header_line, 8),
    (missing_headers, 8),
    (nested_multipart, 8),
    (hostile_html, 8),
    (null_bytes, 8),
    (eight_bit_headers, 8),
    (non_utf8_body, 8),
    (duplicate_message_id, 8),
    (huge_subject, 8),
    (empty_body, 8),
    (binary_garbage, 8),
    (bad_encoded_words, 8),
    (broken_boundaries, 8),
    (bad_addresses, 8),
    (hostile_attachments, 8),
    (header_injection, 8),
    (line_endings, 8),
    (threading_junk, 8),
    (content_type_junk, 8),
    (nested_messages, 8),
    (sizes, 4),
    (transfer_encoding_junk, 4),
]


def hostile_emails() -> list[HostileEmail]:
    """The 200 emails, the same on every run."""
    rng = random.Random(20261123)
    emails = []
    n = 0
    for builder, count in BUILDERS:
        for variant in range(count):
            emails.append(HostileEmail(builder.__name__, builder(n, variant, rng)))
            n += 1
    return emails
