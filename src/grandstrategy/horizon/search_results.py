"""What a search is asked (``Filters``) and what it answers (``Result`` of ``Hit``s)."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field

from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.horizon import wordforms


@dataclass
class Filters:
    category: str | None = None
    actor: str | None = None
    language: str | None = None
    source: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def describe(self) -> list[str]:
        return [f"{k} = {v}" for k, v in self.__dict__.items() if v]

    def check(self) -> None:
        """A filter naming no category or actor the system knows is a mistake, not 0 hits."""
        from grandstrategy.horizon.entities import default_finder
        from grandstrategy.horizon.taxonomy import load_taxonomy

        if self.category is not None and self.category not in load_taxonomy().ids():
            raise Invalid(
                _("unknown category {category!r}; see 'horizon taxonomy'").format(
                    category=self.category
                )
            )
        if self.actor is not None and self.actor not in default_finder().entities():
            raise Invalid(
                _("unknown actor {actor!r}; actors look like state:RU or org:nato").format(
                    actor=self.actor
                )
            )
        if self.since and self.until and self.since > self.until:
            raise Invalid(_("--since is after --until: nothing could match"))


@dataclass
class Hit:
    passage_id: int
    document_id: int
    document_title: str
    seq: int
    start: int
    end: int
    score: float
    snippet: str  # plain text: an extract of the passage (never HTML)
    matched: list[str]
    marking: str
    language: str
    published: dt.date | None
    source: str
    categories: list[str] = field(default_factory=list)
    cosine: float | None = None  # closeness in meaning to the query, when semantic search ran
    matches: list[tuple[int, int]] = field(default_factory=list)  # (start, end) in the snippet
    snippet_start: int = 0  # where the snippet starts in the passage

    @property
    def snippet_html(self) -> str:
        """The snippet escaped for a page, each match in ``<mark>``."""
        extract = wordforms.Snippet(self.snippet, self.snippet_start, self.matches)
        return wordforms.highlighted(extract, ("<mark>", "</mark>"), html.escape)

    @property
    def citation(self) -> str:
        return f"doc {self.document_id} ¶{self.seq + 1} [{self.start}:{self.end}]"

    def why(self, filters: Filters) -> str:
        parts = []
        if self.matched:
            parts.append(f"matched {', '.join(repr(m) for m in self.matched)}")
        if self.cosine is not None:
            parts.append(f"close in meaning to the query (cosine {self.cosine:.2f})")
        if not parts:
            parts.append("matched the query")
        parts.append(f"relevance {self.score:.3f}")
        parts += filters.describe()
        return "; ".join(parts)


@dataclass
class Result:
    query: str
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    took_ms: float
    marking: Marking = field(default_factory=Marking)
    total_exact: bool = True  # False: at least ``total`` match (counting stopped there)
    facets_exact: bool = True  # False: the facets count over the best ``facets_over`` only
    facets_over: int = 0
    backend: str = "fts"  # which keyword engine answered: "tantivy" or "fts"

    @property
    def total_text(self) -> str:
        """The total as shown: "10,000+" when counting stopped at the cap."""
        return f"{self.total:,}" + ("" if self.total_exact else "+")
