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


UNSAFE_FILENAME_CHARACTERS = re.compile(r"[^\w.\- ()]+")


def safe_filename(name: str) -> str:
    """A display name without paths or control characters; storage uses random names anyway."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = UNSAFE_FILENAME_CHARACTERS.sub("_", base).strip("._ ")
    return cleaned[:200] or "attachment"
