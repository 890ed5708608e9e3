"""Watchlists: what the horizon scan should look for on behalf of one threat of the strategy.

A watchlist names taxonomy categories, actors (entity ids such as ``state:RU`` or
``org:wagner``), places (a region of ``regions.yaml`` or a state) and free terms. It matches
a passage when one of its categories is among the passage's labels, or one of its actors or
places is mentioned there, or one of its terms occurs in the text: whole words, compared as
``re.IGNORECASE`` compares them (see ``casefold``), a space and a hyphen interchangeable.

This module is pure: the same watchlist and the same passage give the same reasons. What a
reader may see is decided by the service before anything reaches these functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _

MAX_ITEMS = 50  # per list: a watchlist is a short, deliberate thing
MAX_TERM = 100
STATE = re.compile(r"^state:[A-Z]{2}$")


def _split(value: str) -> list[str]:
    """``cyber+disinformation`` and ``state:RU+state:BY`` as alerts write them."""
    return [v for v in value.split("+") if v]


@dataclass(frozen=True)
class Watchlist:
    """Categories, actors, places and terms; ``regions`` maps a region id to its actors."""

    categories: frozenset[str] = frozenset()
    actors: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    terms: tuple[str, ...] = ()
    regions: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def empty(self) -> bool:
        return not (self.categories or self.actors or self.places or self.terms)

    def union(self, other: Watchlist) -> Watchlist:
        terms = list(dict.fromkeys([*self.terms, *other.terms]))
        return Watchlist(
            self.categories | other.categories,
            self.actors | other.actors,
            self.places | other.places,
            tuple(terms),
            {**self.regions, **other.regions},
        )

    @cached_property
    def place_of(self) -> dict[str, str]:
        """Entity id -> the place of this watchlist it stands for (a state stands for itself)."""
        out: dict[str, str] = {}
        for place in sorted(self.places):
            for actor in self.regions.get(place, frozenset({place})):
                out.setdefault(actor, place)
        return out

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        if not self.terms:
            return None
        parts = [re.sub(r"(?:\\ |-)+", r"[\\s\\-]+", re.escape(t)) for t in self.terms]
        return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)

    def terms_in(self, text: str) -> list[str]:
        """The watchlist's terms that occur in ``text`` (in the watchlist's order)."""
        if self.pattern is None or not text:
            return []
        found = {_key(m.group(0)) for m in self.pattern.finditer(text)}
        return [t for t in self.terms if _key(t) in found]

    def reasons(
        self, *, categories: Iterable[str] = (), entities: Iterable[str] = (), text: str = ""
    ) -> list[str]:
        """Why the watchlist matches a passage (or a document, a story), or [] when it does not.

        Each reason is ``category:ID``, ``actor:ID``, ``place:ID`` or ``term:TEXT``."""
        out = [f"category:{c}" for c in sorted(set(categories) & self.categories)]
        seen = set(entities)
        out += [f"actor:{a}" for a in sorted(seen & self.actors)]
        out += [
            f"place:{p}" for p in sorted({self.place_of[e] for e in seen if e in self.place_of})
        ]
        out += [f"term:{t}" for t in self.terms_in(text)]
        return out

    def alert_reasons(self, category: str, actor: str) -> list[str]:
        """Why an alert (its category or categories, its actor or actors) concerns the watch."""
        return self.reasons(categories=_split(category), entities=_split(actor))


def _key(text: str) -> str:
    """A term or a hit reduced so that the two compare as the pattern did."""
    return re.sub(r"[\s\-]+", " ", text).casefold()


def clean_terms(terms: Iterable[str]) -> list[str]:
    """Stripped, de-duplicated terms, or Invalid naming the first one that cannot be a term."""
    out: list[str] = []
    for raw in terms:
        term = " ".join(raw.split())
        if not term:
            continue
        if len(term) < 2 or len(term) > MAX_TERM or not re.search(r"\w", term):
            raise Invalid(
                _("term {term!r}: a term is 2 to {most} characters with a letter or digit").format(
                    term=term, most=MAX_TERM
                )
            )
        if _key(term) not in {_key(t) for t in out}:
            out.append(term)
    return out


def check_length(items: list[str], what: str) -> list[str]:
    """``items`` unless longer than ``MAX_ITEMS``; ``what`` is the list's (translated) name."""
    if len(items) > MAX_ITEMS:
        raise Invalid(
            _("at most {most} {what} in a watchlist ({n} given)").format(
                most=MAX_ITEMS, what=what, n=len(items)
            )
        )
    return items


def resolve(
    values: Iterable[str], known: dict[str, str], unknown: str, *, extra: Iterable[str] = ()
) -> list[str]:
    """Ids for ``values``: an id as it is, or a name (any case) of one known id.

    ``known`` maps id -> display name; ``extra`` are further accepted ids; ``unknown`` is the
    (translated) message for a value that is neither, with ``{value}`` in it."""
    by_name: dict[str, str] = {}
    for i, name in known.items():
        by_name.setdefault(name.casefold(), i)
    accepted = set(known) | set(extra)
    out: list[str] = []
    for raw in values:
        v = raw.strip()
        if not v:
            continue
        found = v if v in accepted else by_name.get(v.casefold())
        if found is None and ":" in v:
            kind, _sep, rest = v.partition(":")
            kind = kind.lower()
            candidate = f"{kind}:{rest.upper() if kind == 'state' else rest.lower()}"
            found = candidate if candidate in accepted else None
        if found is None:
            raise Invalid(unknown.format(value=v))
        if found not in out:
            out.append(found)
    return out
