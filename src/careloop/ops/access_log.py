"""The web server's access log without the secrets that travel in URLs and headers.

Survey and unsubscribe links carry their token in the path, the chat's event stream carries
the visitor's token in the query, and sign-in links carry keys: anyone who reads the log
could use them. `careloop web` runs gunicorn with RedactingLogger, which replaces each such
value with [redacted] in every part of the request a log format can name.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from careloop.core.redaction import REDACTED, redact_url

# Request headers that prove who someone is.
_SECRET_HEADERS = ("{x-careloop-chat}i", "{authorization}i", "{cookie}i", "{x-api-key}i")


class RedactingLogger(Logger):
    """gunicorn's logger, with every URL-like atom redacted before the access line is written."""

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():
            if isinstance(value, str):
                atoms[name] = redact_url(value)
        for name in _SECRET_HEADERS:
            if name in atoms:
                atoms[name] = REDACTED
        return atoms
