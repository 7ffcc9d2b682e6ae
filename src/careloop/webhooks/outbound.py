"""POSTing JSON to a receiver someone configured: webhooks and chat channels alike.

The URL is someone's input, so it may point inside our own network (SSRF): only http(s), and
unless CARELOOP_WEBHOOKS_ALLOW_PRIVATE is on, never an address that is loopback, private,
link-local (cloud metadata), reserved or multicast. Redirects are not followed: a redirect
could lead past the check. An answer never raises: it comes back as a `PostResult`.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

EXCERPT_CHARS = 500
USER_AGENT = "careloop-webhooks/1"


class UnsafeUrl(ValueError):
    """A URL careloop will not send to."""


@dataclass(frozen=True)
class PostResult:
    status: int | None
    excerpt: str
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_url(url: str, *, resolve: bool = True) -> None:
    """Raise UnsafeUrl unless careloop may POST to `url`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("Use an http:// or https:// URL.")
    if parts.username or parts.password:
        raise UnsafeUrl("Put no user name or password in the URL.")
    if settings.CARELOOP_WEBHOOKS_ALLOW_PRIVATE:
        return
    host = parts.hostname
    try:
        addresses = [ipaddress.ip_address(host).compressed]
    except ValueError:
        if host.lower() == "localhost" or host.lower().endswith(".localhost"):
            raise UnsafeUrl("careloop does not send to this machine.") from None
        if not resolve:
            return
        try:
            found = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError) as error:
            raise UnsafeUrl(f"The host name does not resolve: {error}") from None
        addresses = [str(info[4][0]) for info in found]
    if any(_forbidden(address) for address in addresses):
        raise UnsafeUrl("careloop does not send to loopback, private or reserved addresses.")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 3xx comes back as the answer


_opener = urllib.request.build_opener(_NoRedirects)


def post_json(url: str, body: bytes, headers: dict[str, str]) -> PostResult:
    """POST `body` (JSON) to `url` within the configured timeout; never raises."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        check_url(url)
    except UnsafeUrl as error:
        return PostResult(None, "", str(error), 0)
    request = urllib.request.Request(  # noqa: S310 - scheme checked by check_url
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
    )
    timeout = settings.CARELOOP_WEBHOOK_TIMEOUT_S
    try:
        with _opener.open(request, timeout=timeout) as response:
            answer = response.read(EXCERPT_CHARS * 4)
            return PostResult(response.status, _excerpt(answer), "", took())
    except urllib.error.HTTPError as error:
        try:
            answer = error.read(EXCERPT_CHARS * 4)
        except OSError:
            answer = b""
        return PostResult(error.code, _excerpt(answer), f"HTTP {error.code}", took())
    except TimeoutError:
        return PostResult(None, "", f"No answer within {timeout:g} s", took())
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError | socket.timeout):
            return PostResult(None, "", f"No answer within {timeout:g} s", took())
        return PostResult(None, "", f"{type(error).__name__}: {reason}"[:EXCERPT_CHARS], took())


def _excerpt(answer: bytes) -> str:
    return answer.decode("utf-8", errors="replace")[:EXCERPT_CHARS]
