"""Actors in text: which states and organisations a document talks about.

The horizon scanner needs to know who a passage is about (Russia, NATO, the Houthis) in English,
French, Dutch and German. This module does it with a vocabulary rather than a model: the names,
adjectives, capitals, metonyms and aliases live in ``entities.yaml``, are validated when loaded and
are compiled into one pattern per case mode. That choice is deliberate. A vocabulary runs at
regular-expression speed, needs no model download, behaves the same on every machine, and every
match can be explained by pointing at a line of YAML, which matters when an analyst asks why a
report counts an actor. Every other ISO 3166 country is added from pycountry's names and its
French, Dutch and German translations, so an unlisted state is still found by name.

A statistical recogniser (spaCy, say) would also find actors nobody listed, at the price of
per-language models and answers that are harder to audit. It can be added later as an optional
second pass; this module does not import it and works without it.

Matching rules, in short: whole words only (``Niger`` is not found inside ``Nigeria``); case is
ignored except for surfaces marked ``case_sensitive`` (``US``, ``UN``, ``WHO``, ``IS``); spaces
and hyphens inside a surface are interchangeable; the longest surface starting at a position wins;
phrases under ``ignore`` are matched and then dropped so that they shadow the names inside them.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import accumulate, compress
from pathlib import Path
from typing import Literal, Self

import pycountry
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from grandstrategy.core.errors import Invalid
from grandstrategy.horizon import casefold

Lang = Literal["en", "fr", "nl", "de"]
EntityKind = Literal["organisation", "grouping", "alliance", "non-state-group"]

# ISO 3166-1 leaves these alpha-2 codes to users; Kosovo's XK is the one that matters here.
_USER_ASSIGNED = re.compile(r"AA|Q[M-Z]|X[A-Z]|ZZ")
# German adjectives ending in -sch decline regularly, so the data lists the base form only.
_DE_ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
_WORDS_AND_GAPS = re.compile(r"(\w+)")
_WORD_RUN = re.compile(r"\w+")
_SEPARATORS = re.compile(r"[\s\-\u2010\u2011]+")
_SEPARATOR_PATTERN = r"[\s\-\u2010\u2011]+"


# --- the data file ----------------------------------------------------------------------------


class Term(BaseModel):
    """One surface form. A bare string in YAML is a term that ignores case."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    text: str = Field(min_length=1)
    case_sensitive: bool = False

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: object) -> object:
        return {"text": value} if isinstance(value, str) else value


class Terms(BaseModel):
    """Surface forms per language. Matching does not detect the language of a text; the split
    only keeps the file readable and lets inflection rules apply to the right words."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    en: tuple[Term, ...] = ()
    fr: tuple[Term, ...] = ()
    nl: tuple[Term, ...] = ()
    de: tuple[Term, ...] = ()

    def by_language(self) -> Iterator[tuple[Lang, Term]]:
        languages: tuple[tuple[Lang, tuple[Term, ...]], ...] = (
            ("en", self.en),
            ("fr", self.fr),
            ("nl", self.nl),
            ("de", self.de),
        )
        for lang, terms in languages:
            for term in terms:
                yield lang, term

    def is_empty(self) -> bool:
        return not (self.en or self.fr or self.nl or self.de)


class StateDef(BaseModel):
    """A state the file describes in detail, keyed by its ISO 3166-1 alpha-2 code."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    user_assigned: bool = False
    names: Terms = Terms()
    adjectives: Terms = Terms()
    capitals: Terms = Terms()
    metonyms: Terms = Terms()

    @model_validator(mode="after")
    def _known_code(self) -> Self:
        code = self.code
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise ValueError(f"state code {code!r}: use two capital letters (ISO 3166-1 alpha-2)")
        in_iso = pycountry.countries.get(alpha_2=code) is not None
        if self.user_assigned:
            if in_iso:
                raise ValueError(f"state code {code!r} is in ISO 3166-1; drop user_assigned")
            if not _USER_ASSIGNED.fullmatch(code):
                raise ValueError(
                    f"state code {code!r} is not in a user-assigned range (AA, QM-QZ, XA-XZ, ZZ)"
                )
            if not self.names.en:
                raise ValueError(f"state {code!r} has a user-assigned code and needs names.en")
        elif not in_iso:
            raise ValueError(
                f"state code {code!r} is not an ISO 3166-1 alpha-2 code "
                "(set user_assigned: true only for codes such as XK)"
            )
        return self

    @property
    def entity_id(self) -> str:
        return f"state:{self.code}"

    def display_name(self) -> str:
        if self.names.en:
            return self.names.en[0].text
        return _iso_display_name(self.code)


class OrgDef(BaseModel):
    """An organisation, grouping, alliance or non-state group."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    kind: EntityKind
    aliases: Terms

    @model_validator(mode="after")
    def _has_aliases(self) -> Self:
        if self.aliases.is_empty():
            raise ValueError(f"organisation {self.id!r} has no aliases, so it can never be found")
        return self

    @property
    def entity_id(self) -> str:
        return f"org:{self.id}"


class EntityData(BaseModel):
    """The whole vocabulary, checked as a unit: codes and ids are unique and no surface form
    points at two different entities."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    states: tuple[StateDef, ...]
    organisations: tuple[OrgDef, ...] = ()
    ignore: Terms = Terms()
    generated_exclude: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        problems = _duplicates("state code", [s.code for s in self.states])
        problems += _duplicates("organisation id", [o.id for o in self.organisations])
        problems += _conflicts(_curated_surfaces(self))
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _duplicates(what: str, values: list[str]) -> list[str]:
    counts = Counter(values)
    return [f"duplicate {what} {v!r}" for v, n in counts.items() if n > 1]


# --- public values ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    """An actor: ``id`` is ``state:RU`` or ``org:nato``; ``name`` is for display in English."""

    id: str
    name: str
    kind: str  # "state" | "organisation" | "grouping" | "alliance" | "non-state-group"


@dataclass(frozen=True)
class ActorMatch:
    """One place where a text names an actor; ``text[start:end] == surface``."""

    entity_id: str
    surface: str
    start: int
    end: int
    how: str  # "name" | "adjective" | "capital" | "metonym" | "alias"


# --- surfaces ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Surface:
    entity_id: str | None  # None: an ``ignore`` phrase, matched only to be dropped
    text: str  # normalised: plain apostrophes, single spaces for separators
    how: str
    case_sensitive: bool


def _normalise(text: str) -> str:
    return _SEPARATORS.sub(" ", text.translate(_APOSTROPHES)).strip()


def _fold(text: str) -> str:
    return _normalise(text).lower()


def _forms(lang: Lang, how: str, term: Term) -> list[str]:
    """The term plus the inflections the data file promises to add (see its header)."""
    text = term.text
    lower = text.lower()
    forms = [text]
    if how == "adjective":
        if lang == "de" and lower.endswith("sch"):
            forms += [text + ending for ending in _DE_ADJECTIVE_ENDINGS]
        elif lang == "fr" and not lower.endswith(("s", "x")):
            forms.append(text + "s")
    elif (
        lang in ("de", "nl")
        and not term.case_sensitive
        and " " not in text
        and not text.isupper()
        and not lower.endswith(("s", "ß", "x", "z"))
    ):
        forms.append(text + "s")  # genitive: Russlands, Moskaus, Ruslands
    return forms


def _curated_surfaces(data: EntityData) -> list[_Surface]:
    out: list[_Surface] = []
    for state in data.states:
        for how, terms in (
            ("name", state.names),
            ("adjective", state.adjectives),
            ("capital", state.capitals),
            ("metonym", state.metonyms),
        ):
            for lang, term in terms.by_language():
                for form in _forms(lang, how, term):
                    out.append(
                        _Surface(state.entity_id, _normalise(form), how, term.case_sensitive)
                    )
    for org in data.organisations:
        for _lang, term in org.aliases.by_language():
            out.append(_Surface(org.entity_id, _normalise(term.text), "alias", term.case_sensitive))
    for _lang, term in data.ignore.by_language():
        out.append(_Surface(None, _normalise(term.text), "ignore", term.case_sensitive))
    return out


def _group(surfaces: Iterable[_Surface]) -> dict[str, list[_Surface]]:
    groups: dict[str, list[_Surface]] = {}
    for surface in surfaces:
        groups.setdefault(surface.text.lower(), []).append(surface)
    return groups


def _conflicts(surfaces: list[_Surface]) -> list[str]:
    problems = []
    for group in _group(surfaces).values():
        owners = sorted({s.entity_id or "ignore" for s in group})
        if len(owners) > 1:
            problems.append(f"surface {group[0].text!r} is listed for {' and '.join(owners)}")
    return problems


@cache
def _iso_countries() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(code, English display name, surface forms) for every ISO 3166-1 country.

    Forms are pycountry's common, short and official names plus their French, Dutch and German
    translations. Inverted catalogue forms ("Korea, Republic of") and ones with parentheses are
    skipped: nobody writes them in running text.
    """
    translators = [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
        for lang in ("fr", "nl", "de")
    ]
    out = []
    for country in pycountry.countries:
        english = [
            str(value)
            for attr in ("common_name", "name", "official_name")
            if (value := getattr(country, attr, None))
        ]
        forms: list[str] = []
        for name in english:
            for form in [name, *(t.gettext(name) for t in translators)]:
                tidy = _tidy_iso_form(form)
                if tidy and tidy not in forms:
                    forms.append(tidy)
        out.append((str(country.alpha_2), english[0], tuple(forms)))
    return tuple(out)


def _tidy_iso_form(form: str) -> str | None:
    if "," in form or "(" in form:
        return None
    for article in ("the ", "The ", "L'", "l'", "L’"):
        if form.startswith(article):
            form = form[len(article) :]
    return form.strip() or None


def _iso_display_name(code: str) -> str:
    for iso_code, display, _ in _iso_countries():
        if iso_code == code:
            return display
    return code


# --- the finder -------------------------------------------------------------------------------

_Trie = dict[str, "_Trie"]
_END = ""  # key marking that a surface ends at this trie node


def _compile(keys: Iterable[str], *, ignore_case: bool) -> re.Pattern[str] | None:
    """One pattern for many surfaces, built as a trie so the engine never retries a shared prefix.

    Within a node the "stop here" option is a greedy ``?`` after the longer continuations, so at
    any start position the longest surface wins, as a longest-first alternation would give, and
    the engine falls back to a shorter surface when the longer one fails the word boundary.
    """
    trie: _Trie = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[_END] = {}
    if not trie:
        return None
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(rf"(?<!\w)(?:{_emit(trie)})(?!\w)", flags)


def _emit(node: _Trie) -> str:
    branches = [
        (_SEPARATOR_PATTERN if char == " " else re.escape(char)) + _emit(child)
        for char, child in sorted(node.items())
        if char != _END
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if _END in node else body


_MISSING = _Surface(None, "", "", False)


# --- where a surface can start ----------------------------------------------------------------
#
# A scan of a whole passage by the big case-insensitive pattern spends most of its time at
# positions where no surface can start. Every surface starts with a word character, so a match
# starts at a word (a maximal \w+ run) and that word is the surface's first word, the same
# letters up to case. The finder therefore lists each surface's first word, cuts the passage
# into words once, and tries the pattern only at the words in that list, in order, skipping
# what an earlier match covered: the matches finditer would find. "The same letters up to case"
# is taken as re's IGNORECASE understands it (see ``casefold``); a text holding a character
# for which ``str.lower`` says something else (ſ, ı, İ, Σ…) is scanned the old way.


def _first_words(keys: Iterable[str], *, ignore_case: bool) -> frozenset[str] | None:
    """The first words of the surfaces (folded when the pattern ignores case), or None when a
    surface does not start with a word character or its first word is followed by a cased
    character (then a match need not start at a word, and the pattern scans everything)."""
    if ignore_case and not casefold.available():
        return None
    firsts: set[str] = set()
    for key in keys:
        run = _WORD_RUN.match(key)
        if run is None:
            return None
        after = key[run.end() : run.end() + 1]
        if after and casefold.is_cased(after):
            return None
        word = run.group()
        firsts.add(casefold.fold(word) if ignore_case else word)
    return frozenset(firsts)


class EntityFinder:
    """Finds actor mentions in text. Build it once (it compiles the vocabulary) and reuse it."""

    def __init__(self, data: EntityData) -> None:
        self._entities = _entity_table(data)
        groups = _group(_curated_surfaces(data))
        folded: dict[str, _Surface | None] = {}
        exact: dict[str, _Surface | None] = {}
        for key, group in groups.items():
            first = group[0]
            target = None if first.entity_id is None else first
            if any(s.case_sensitive for s in group):
                for surface in group:
                    exact.setdefault(surface.text, target)
            else:
                folded[key] = target
        excluded = {_fold(text) for text in data.generated_exclude}
        for code, _display, forms in _iso_countries():
            for form in forms:
                key = _fold(form)
                if key in groups or key in excluded or key in folded:
                    continue  # the curated file decides; first ISO country wins among the rest
                folded[key] = _Surface(f"state:{code}", _normalise(form), "name", False)
        self._passes: list[
            tuple[re.Pattern[str], dict[str, _Surface | None], bool, frozenset[str] | None]
        ] = []
        for table, fold in ((folded, True), (exact, False)):
            pattern = _compile(table, ignore_case=fold)
            if pattern is not None:
                firsts = _first_words(table, ignore_case=fold)
                self._passes.append((pattern, table, fold, firsts))
        self._unsafe = casefold.unsafe_characters()
        self.surface_count = len(folded) + len(exact)

    def find(self, text: str) -> list[ActorMatch]:
        """Non-overlapping mentions in order of position; the longest surface wins a tie."""
        probe = text  # apostrophes made plain, one character for one, so offsets still hold
        if "\u2019" in text or "\u2018" in text or "\u02bc" in text:
            probe = text.translate(_APOSTROPHES)
        hits: list[tuple[int, int, _Surface | None]] = []
        parts: list[str] | None = None
        for pattern, table, fold, firsts in self._passes:
            if firsts is None or (fold and self._unsafe is not None and self._unsafe.search(probe)):
                matches: Iterable[re.Match[str]] = pattern.finditer(probe)
            else:
                if parts is None:
                    parts = _WORDS_AND_GAPS.split(probe)  # [gap, word, gap, …, word, gap]
                matches = self._matches_at_words(probe, pattern, parts, firsts, fold)
            for match in matches:
                key = match.group()  # as _normalise makes it (the probe's apostrophes are plain)
                if not key.isalnum():  # a single word has no separators to tidy
                    key = _SEPARATORS.sub(" ", key).strip()
                surface = table.get(key.lower() if fold else key, _MISSING)
                if surface is not _MISSING:
                    hits.append((match.start(), match.end(), surface))
        hits.sort(key=lambda hit: (hit[0], hit[0] - hit[1]))
        mentions: list[ActorMatch] = []
        reached = 0
        for start, end, surface in hits:
            if start < reached:
                continue
            reached = end
            if surface is not None and surface.entity_id is not None:
                mentions.append(
                    ActorMatch(surface.entity_id, text[start:end], start, end, surface.how)
                )
        return mentions

    @staticmethod
    def _matches_at_words(
        probe: str, pattern: re.Pattern[str], parts: list[str], firsts: frozenset[str], fold: bool
    ) -> list[re.Match[str]]:
        """What ``pattern.finditer(probe)`` finds, trying only the words that start a surface."""
        words = parts[1::2]
        keys = list(map(str.lower, words)) if fold else words
        starting = firsts.intersection(keys)
        if not starting:
            return []
        offsets = list(accumulate(map(len, parts), initial=0))
        out: list[re.Match[str]] = []
        reached = 0
        for k in compress(range(1, len(parts), 2), map(starting.__contains__, keys)):
            start = offsets[k]
            if start < reached:
                continue
            match = pattern.match(probe, start)
            if match is not None:
                out.append(match)
                reached = match.end()
        return out

    def entities(self) -> dict[str, Entity]:
        return dict(self._entities)

    def summarise(self, mentions: list[ActorMatch]) -> list[tuple[Entity, int]]:
        """The document's actors with their mention counts, most mentioned first."""
        counts = Counter(m.entity_id for m in mentions)
        pairs = [(self._entities[entity_id], n) for entity_id, n in counts.items()]
        return sorted(pairs, key=lambda pair: (-pair[1], pair[0].name))


def _entity_table(data: EntityData) -> dict[str, Entity]:
    table: dict[str, Entity] = {}
    for code, display, _ in _iso_countries():
        table[f"state:{code}"] = Entity(f"state:{code}", display, "state")
    for state in data.states:
        table[state.entity_id] = Entity(state.entity_id, state.display_name(), "state")
    for org in data.organisations:
        table[org.entity_id] = Entity(org.entity_id, org.name, org.kind)
    return dict(sorted(table.items()))


# --- loading ----------------------------------------------------------------------------------


@cache
def load_entities(path: Path | None = None) -> EntityData:
    """The vocabulary from ``path``, or the packaged ``entities.yaml``. Cached: it is data that
    ships with the code, and a finder compiled from it is expensive enough to build once."""
    if path is None:
        source = "grandstrategy/horizon/entities.yaml"
        text = resources.files("grandstrategy.horizon").joinpath("entities.yaml").read_text("utf-8")
    else:
        source = str(path)
        text = path.read_text("utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise Invalid(f"{source}: not valid YAML", details=[str(exc)]) from exc
    try:
        return EntityData.model_validate(raw)
    except ValidationError as exc:
        details = [
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: "
            + str(err["msg"]).removeprefix("Value error, ")
            for err in exc.errors()
        ]
        raise Invalid(f"{source}: invalid entity data", details=details) from exc


@cache
def default_finder() -> EntityFinder:
    """A finder over the packaged vocabulary, built on first use."""
    return EntityFinder(load_entities())
