"""Translations of a strategy record's prose: how they are written, stored, kept fresh and shown.

The record's own fields (``title``, ``statement``...) hold the source text, in English. Each
record may carry ``translations``: language → field → :class:`Translation`, where a
translation keeps, beside its text, a short hash of the source text it was made from. When the
source changes and the translation does not, the hashes differ and lint says the translation
is older than its source, as gettext's "fuzzy" does for interface strings.

In the YAML package a translated field is written inline, ``title: {en: ..., fr: ..., nl: ...}``
(a plain string still means the English source alone). A translation whose source has changed
since is listed under ``translated_from`` (language → field → hash); remove its line once the
translation is brought up to date.

An edition in another language takes each field's translation where there is one, else the
source text marked ``[EN]`` so a reader knows it is not yet translated (:func:`localise`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SOURCE_LANGUAGE = "en"
TARGETS = ("fr", "nl", "de")  # the languages a translation may be in

# The prose fields of each kind of record: what a translator translates.
TRANSLATABLE: dict[str, tuple[str, ...]] = {
    "strategy": ("title", "country", "edition", "summary", "notice"),
    "actors": ("name", "description"),
    "interests": ("title", "statement"),
    "threats": ("title", "description", "vulnerability"),
    "roles": ("name", "description"),
    "objectives": ("title", "description"),
    "capabilities": ("name", "description"),
}


class Translation(BaseModel):
    """One field's text in one language, and the hash of the source text it was made from.

    ``source_hash`` may be left out when writing: it is then taken as made from the source
    text beside it (see :func:`settle`).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=8000)
    source_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{12}$")


Translations = dict[str, dict[str, Translation]]


def source_hash(text: str) -> str:
    """Twelve hex digits of the source text's SHA-256: enough to tell two versions apart."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:12]


def split_inline(fields: tuple[str, ...], data: Any) -> Any:
    """Input in any accepted form → the record's plain fields plus ``translations``.

    ``title: {en: ..., fr: ...}`` gives the source ``title`` and a French translation;
    ``translated_from`` sets the source hash of the translations it names. Problems are
    raised as ``ValueError`` naming the field, so a package reports file, line and field.
    """
    if not isinstance(data, dict):
        return data
    out = dict(data)
    merged: dict[str, dict[str, Any]] = {}
    given = out.get("translations") or {}
    if not isinstance(given, dict):
        raise ValueError("translations: expected a mapping of language to fields")
    for lang, per in given.items():
        merged[lang] = dict(per) if isinstance(per, dict) else per
    for name in fields:
        value = out.get(name)
        if not isinstance(value, dict):
            continue
        if not isinstance(value.get(SOURCE_LANGUAGE), str):
            raise ValueError(f"{name}: the English source text (en) is missing")
        out[name] = value[SOURCE_LANGUAGE]
        for lang, text in value.items():
            if lang == SOURCE_LANGUAGE:
                continue
            merged.setdefault(lang, {})[name] = {"text": text}
    stated = out.pop("translated_from", None) or {}
    if not isinstance(stated, dict):
        raise ValueError("translated_from: expected a mapping of language to field hashes")
    for lang, per in stated.items():
        for name, digest in (per or {}).items():
            entry = merged.get(lang, {}).get(name)
            if entry is None:
                raise ValueError(f"translated_from: {lang}.{name} names no translation")
            if isinstance(entry, dict):
                entry["source_hash"] = str(digest)
    for lang, per in merged.items():
        if lang not in TARGETS:
            raise ValueError(
                f"translations: unknown language {lang!r}; use one of {', '.join(TARGETS)}"
            )
        for name in per or {}:
            if name not in fields:
                raise ValueError(
                    f"translations: {lang}.{name} is no translatable field "
                    f"(translatable: {', '.join(fields)})"
                )
    if merged or "translations" in out:
        out["translations"] = merged
    return out


def settle(
    fields: tuple[str, ...], old: dict[str, Any] | None, new: dict[str, Any]
) -> dict[str, Any]:
    """Fill in the source hash of every translation written without one.

    Such a translation is taken as made from the source text beside it, except when this
    very write changes the source and leaves the translation's text as it was: then it keeps
    the hash it had, and lint reports it as older than its source.
    """
    old = old or {}
    old_tr = old.get("translations") or {}
    out = dict(new)
    settled: dict[str, dict[str, Any]] = {}
    for lang, per in (new.get("translations") or {}).items():
        settled[lang] = {}
        for name, tr in per.items():
            tr = dict(tr)
            if not tr.get("source_hash"):
                before = old_tr.get(lang, {}).get(name) or {}
                source_changed = (old.get(name) or "") != (new.get(name) or "")
                if (
                    source_changed
                    and before.get("text") == tr["text"]
                    and before.get("source_hash")
                ):
                    tr["source_hash"] = before["source_hash"]
                else:
                    tr["source_hash"] = source_hash(new.get(name) or "")
            settled[lang][name] = tr
    out["translations"] = settled
    return out


def state(fields: tuple[str, ...], data: dict[str, Any], lang: str) -> tuple[list[str], list[str]]:
    """(fields with source text but no ``lang`` translation, fields whose translation is stale)."""
    per = (data.get("translations") or {}).get(lang, {})
    missing, stale = [], []
    for name in fields:
        text = data.get(name)
        if not text:
            continue
        tr = per.get(name)
        if tr is None:
            missing.append(name)
        elif tr.get("source_hash") and tr["source_hash"] != source_hash(text):
            stale.append(name)
    return missing, stale


def inline(fields: tuple[str, ...], data: dict[str, Any]) -> dict[str, Any]:
    """A record's JSON data → its YAML package form (translated fields inline, stale hashes)."""
    trs: dict[str, dict[str, Any]] = data.get("translations") or {}
    out: dict[str, Any] = {}
    stale: dict[str, dict[str, str]] = {}
    for key, value in data.items():
        if key == "translations":
            continue
        langs = [lang for lang in TARGETS if key in trs.get(lang, {})]
        if key in fields and langs and isinstance(value, str):
            out[key] = {SOURCE_LANGUAGE: value, **{lg: trs[lg][key]["text"] for lg in langs}}
            for lg in langs:
                digest = trs[lg][key].get("source_hash")
                if digest and digest != source_hash(value):
                    stale.setdefault(lg, {})[key] = digest
        else:
            out[key] = value
    if stale:
        out["translated_from"] = stale
    return out


NOT_TRANSLATED = "[{code}] "


def localise_data(
    fields: tuple[str, ...], data: dict[str, Any], lang: str
) -> tuple[dict[str, Any], int]:
    """The record's data with its prose in ``lang``; untranslated text keeps the source, marked.

    Returns the data and how many fields were left in the source language.
    """
    if lang == SOURCE_LANGUAGE:
        return data, 0
    per = (data.get("translations") or {}).get(lang, {})
    out = dict(data)
    left = 0
    for name in fields:
        text = data.get(name)
        if not text:
            continue
        tr = per.get(name)
        if tr is not None:
            out[name] = tr["text"]
        else:
            out[name] = NOT_TRANSLATED.format(code=SOURCE_LANGUAGE.upper()) + text
            left += 1
    return out, left
