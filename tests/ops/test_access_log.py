"""Tokens in links never reach the web server's access log."""

from __future__ import annotations

import datetime
import logging
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from careloop.core.redaction import PersonalDataFilter
from careloop.ops.access_log import RedactingLogger, redact_url
from careloop.ops.management.commands import web

TOKEN = "eyJpbnZpdGF0aW9uIjo0Mn0:1tQk3f:Xx9secretSignature"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"/survey/{TOKEN}/", "/survey/[redacted]/"),
        (f"/unsubscribe/{TOKEN}/", "/unsubscribe/[redacted]/"),
        (f"/chat/api/events/?after=3&token={TOKEN}", "/chat/api/events/?after=3&token=[redacted]"),
        ("/accounts/password/reset/key/1x-abc123/", "/accounts/password/reset/key/[redacted]/"),
        ("/accounts/confirm-email/MjA:1t:abc/", "/accounts/confirm-email/[redacted]/"),
        ("/insights/?period=30&team=2", "/insights/?period=30&team=2"),
    ],
)
def test_secret_path_segments_and_query_values_are_redacted(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def access_line(
    log_format: str, path: str, query: str = "", headers: tuple[tuple[str, str], ...] = ()
) -> str:
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", log_format)
    logger = RedactingLogger(config)
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    logger.access_log.handlers = [handler]
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path + (f"?{query}" if query else ""),
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://shop.example/survey/{TOKEN}/",
    }
    response = SimpleNamespace(status="200 OK", sent=120, headers=[])
    request = SimpleNamespace(headers=headers)
    logger.access(response, request, environ, datetime.timedelta(milliseconds=12))
    [line] = lines
    return line


def test_the_web_commands_access_line_names_the_path_without_the_survey_token() -> None:
    line = access_line('%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms', f"/survey/{TOKEN}/")
    assert line == '203.0.113.9 "GET /survey/[redacted]/" 200 120 12ms'


def test_every_part_of_a_custom_format_is_redacted_too() -> None:
    line = access_line(
        '"%(r)s" %(q)s "%(f)s" %({x-careloop-chat}i)s',
        "/chat/api/events/",
        query=f"token={TOKEN}&after=4",
        headers=(("X-CARELOOP-CHAT", TOKEN),),
    )
    assert TOKEN not in line
    assert "Xx9secret" not in line
    assert '"GET /chat/api/events/?token=[redacted]&after=4 HTTP/1.1"' in line


def test_the_web_command_runs_gunicorn_with_the_redacting_logger(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(web.os, "execv", lambda _path, argv: calls.append(argv))
    web.Command().handle(bind="127.0.0.1:0", workers=1, threads=1, pid="")
    [argv] = calls
    assert "--logger-class=careloop.ops.access_log.RedactingLogger" in argv


def test_djangos_own_request_log_lines_lose_the_token_too() -> None:
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        (f"/survey/{TOKEN}/",),
        None,
    )

    PersonalDataFilter().filter(record)

    assert record.getMessage() == "Not Found: /survey/[redacted]/"
