"""Search snippets as safe HTML: the text escaped, only the highlight marks left as markup."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# The database wraps each match in these (private-use characters no one types), so the
# snippet can be escaped as plain text and only the marks turned into <mark> afterwards.
MATCH_START = "\ue000"
MATCH_STOP = "\ue001"
_MARKS = re.compile(f"([{MATCH_START}{MATCH_STOP}])")


def marked_html(snippet: str) -> SafeString:
    """HTML for a snippet the database marked: escaped text, balanced <mark> elements."""
    parts: list[str] = []
    inside = False
    for piece in _MARKS.split(snippet):
        if piece == MATCH_START:
            if not inside:
                parts.append("<mark>")
            inside = True
        elif piece == MATCH_STOP:
            if inside:
                parts.append("</mark>")
            inside = False
        else:
            parts.append(escape(piece))
    if inside:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped


def search_words(query: str) -> list[str]:
    """The words of a search query, as the full-text indexes split them."""
    return re.findall(r"\w+", query.lower())


def highlight(text: str, words: Sequence[str], width: int = 160) -> SafeString:
    """A window of `text` around the first of `words` found, with each of them marked."""
    if not words:
        return marked_html(text[:width])
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - width // 3) if first else 0
    window = text[start : start + width]
    marked = pattern.sub(lambda found: f"{MATCH_START}{found.group(0)}{MATCH_STOP}", window)
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(text) else ""
    return marked_html(f"{prefix}{marked}{suffix}")
