"""HTML from customers is untrusted: keep the formatting, drop everything that could run."""

from __future__ import annotations

import re

import nh3

ALLOWED_TAGS = {
    "a",
    "b",
    "blockquote",
    "br",
    "code",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan"}}


def sanitise_html(html: str) -> str:
    """Safe HTML for display: no scripts, styles, event handlers, images or javascript: links."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


UNSAFE_FILENAME_CHARACTERS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def clean_text(value: str) -> str:
    """Text any database accepts: no NUL characters, no lone surrogates."""
    return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def safe_filename(name: str) -> str:
    """A display name for an attachment: no path, no control characters, at most 255 chars.

    Stored files get random names anyway; this is what people see and download as.
    """
    name = re.split(r"[/\\]", clean_text(name))[-1]
    name = " ".join(UNSAFE_FILENAME_CHARACTERS.sub("_", name).split()).strip(" .")
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        keep_extension = dot and 0 < len(extension) < 16
        name = f"{stem[: 254 - len(extension)]}.{extension}" if keep_extension else name[:255]
    return name or "attachment"
