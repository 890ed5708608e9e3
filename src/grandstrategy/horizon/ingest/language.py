"""Which language a document or passage is written in, among the languages a deployment uses.

Detection is restricted to the configured languages (by default those of a Belgian reader:
English, French, Dutch, German) because a detector choosing among 75 languages confuses close
relatives on short texts, and nothing downstream can use a language it was not configured for.
Anything the detector is unsure about, or too short to judge, is "other" rather than a guess.

Lingua's models load on first use, once per language set; importing this module costs nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import Language, LanguageDetector

DEFAULT_LANGUAGES = ("en", "fr", "nl", "de")
OTHER = "other"
MIN_LETTERS = 20  # below this even a person would hesitate
# The opening of a document decides; the rest adds time, not certainty. 600 characters are
# about 100 words: on the generated four-language corpus of benchmarks/ingest.py as many
# documents are recognised as with 2,000, at a third of the time.
SAMPLE_CHARS = 600


def detect_language(text: str, languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> str:
    """ISO 639-1 code of ``text``'s language, or "other" when short, unclear or not configured."""
    sample = _sample(text)
    if sample is None:
        return OTHER
    return _code(_detector(_key(languages)).detect_language_of(sample))


def detect_many(texts: Iterable[str], languages: tuple[str, ...] = DEFAULT_LANGUAGES) -> list[str]:
    """``detect_language`` for many texts at once, spread over the CPU cores by lingua."""
    samples = [_sample(text) for text in texts]
    todo = [sample for sample in samples if sample is not None]
    found = iter(_detector(_key(languages)).detect_languages_in_parallel_of(todo) if todo else [])
    return [OTHER if sample is None else _code(next(found)) for sample in samples]


def _sample(text: str) -> str | None:
    """The opening of ``text`` cut at a word boundary, or None if it has too few letters."""
    if len(text) > SAMPLE_CHARS:
        cut = text.rfind(" ", SAMPLE_CHARS // 2, SAMPLE_CHARS)
        text = text[: cut if cut > 0 else SAMPLE_CHARS]
    letters = 0
    for char in text:
        if char.isalpha():
            letters += 1
            if letters >= MIN_LETTERS:
                return text
    return None


def _key(languages: tuple[str, ...]) -> tuple[str, ...]:
    """One cache entry per language set, however the caller spelled or ordered it."""
    return tuple(sorted({code.strip().lower() for code in languages}))


@functools.cache
def _detector(languages: tuple[str, ...]) -> LanguageDetector:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    if len(languages) < 2:
        raise ValueError("language detection needs at least two languages to choose between")
    try:
        codes = [IsoCode639_1.from_str(code) for code in languages]
    except ValueError:
        raise ValueError(f"unknown ISO 639-1 code among {languages}") from None
    return (
        LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
        .with_minimum_relative_distance(0.1)
        .build()
    )


def _code(language: Language | None) -> str:
    return OTHER if language is None else language.iso_code_639_1.name.lower()
