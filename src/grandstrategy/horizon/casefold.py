"""Comparing words the way ``re.IGNORECASE`` does, with ``str.lower`` where that is the same.

The rule matcher and the actor finder use compiled case-insensitive patterns for the exact
answer, and cheap look-ups of lower-cased words to decide where a pattern is worth trying.
Such a look-up must never rule out a place where the pattern would match. Two strings match
case-insensitively, character by character, exactly when their characters have the same
``fold_char`` (simple lower case, then the representative of re's extra equivalences such as
ı/i, ſ/s, µ/μ). For almost every character ``str.lower`` gives that representative; a text
holding one of the others (``unsafe_characters``: ſ, ı, İ, Σ, characters beyond the BMP…) is
handled without the look-up.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]
import re
from functools import cache

try:  # the letters re's IGNORECASE pairs beyond simple lower case
    from re._casefix import _EXTRA_CASES  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - another Python: callers fall back to plain scanning
    _EXTRA_CASES = None

_WORD_CHAR = re.compile(r"\w")


def available() -> bool:
    return _EXTRA_CASES is not None


def fold_char(char: str) -> str:
    """The representative of the characters IGNORECASE treats as equal to ``char``."""
    assert _EXTRA_CASES is not None
    low = _sre.unicode_tolower(ord(char))
    return chr(min((low, *_EXTRA_CASES.get(low, ()))))


def fold(text: str) -> str:
    """``text`` with every character replaced by its ``fold_char``."""
    return "".join(map(fold_char, text))


def is_cased(char: str) -> bool:
    return bool(_sre.unicode_iscased(ord(char)))


@cache
def unsafe_characters() -> re.Pattern[str] | None:
    """A pattern finding the characters for which ``str.lower`` is not ``fold_char``, or
    that are cased or case-paired without being word characters (all beyond the BMP are
    counted in); None when this Python's re does not expose its case table."""
    if _EXTRA_CASES is None:
        return None
    paired = {c for low, others in _EXTRA_CASES.items() for c in (low, *others)}
    unsafe = {0x3A3}  # Σ lowers to σ or ς depending on what follows
    for code in range(0x10000):
        char = chr(code)
        low = char.lower()
        lower_is_not_fold = len(low) != 1 or low != fold_char(char)
        cased_non_word = not _WORD_CHAR.match(char) and (
            _sre.unicode_iscased(code) or code in paired
        )
        if lower_is_not_fold or cased_non_word:
            unsafe.add(code)
    body = "".join(f"\\u{c:04x}" for c in sorted(unsafe))
    return re.compile(f"[{body}\\U00010000-\\U0010ffff]")
