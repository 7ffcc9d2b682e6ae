"""Which language a text is in, so the engine's English-only models never guess at others.

py3langid (langid.py's naive Bayes over byte n-grams, BSD-3-Clause, model shipped in the
package) runs offline in well under a millisecond a message. A text counts as another language
only when the detector is sure and the text is long enough to tell: "ok", "Danke!" or an order
number stay English, where a wrong "not read" would hide a reading for nothing.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

ENGLISH = "en"
# The languages a customer is likeliest to write in; restricting the detector to them keeps
# short texts from landing on rare look-alikes.
CANDIDATES: dict[str, str] = {
    "en": "English",
    "es": "Spanish",
    "de": "German",
    "fr": "French",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "pl": "Polish",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "fi": "Finnish",
    "cs": "Czech",
    "ro": "Romanian",
    "hu": "Hungarian",
    "tr": "Turkish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "el": "Greek",
    "ar": "Arabic",
    "he": "Hebrew",
    "hi": "Hindi",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
}
MIN_CONFIDENCE = 0.8
MIN_LETTERS = 12
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class Language:
    code: str
    name: str

    @property
    def is_english(self) -> bool:
        return self.code == ENGLISH


_identifier: Any = None
_lock = threading.Lock()


def _get_identifier() -> Any:
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import (  # type: ignore[import-untyped]
                    MODEL_FILE,
                    LanguageIdentifier,
                )

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(list(CANDIDATES))
                _identifier = identifier
    return _identifier


def detect_language(text: str) -> Language:
    """The text's language; English unless the detector is sure of another."""
    if len(_LETTER.findall(text)) < MIN_LETTERS:
        return Language(ENGLISH, CANDIDATES[ENGLISH])
    code, confidence = _get_identifier().classify(text)
    if code == ENGLISH or confidence < MIN_CONFIDENCE or code not in CANDIDATES:
        return Language(ENGLISH, CANDIDATES[ENGLISH])
    return Language(code, CANDIDATES[code])


def not_read_language(*texts: str) -> str:
    """The name of the first non-English language among the texts, or "" when all read as
    English: the engine's models were trained on English only."""
    for text in texts:
        language = detect_language(text)
        if not language.is_english:
            return language.name
    return ""
