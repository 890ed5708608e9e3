"""Input/output models of the strategy: one per component, plus the whole package.

The same models describe the YAML strategy package (one file per component), the JSON API
and what the pure modules (lint, trace, render) work on. Component records are identified by
a short ``id`` slug, unique within the strategy; links between components are lists of ids.

The likelihood and impact scales (1–5), the posture poles (1 is fully the first pole, 5 fully
the second, 3 balanced), statuses and kinds are defined, with their words in each interface
language, in ``vocabularies.yaml``; a threat's category is one of the horizon taxonomy's.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from grandstrategy.core.markings import Marking
from grandstrategy.horizon.schemas import category_ids
from grandstrategy.strategy import vocabulary
from grandstrategy.strategy.translations import (
    SOURCE_LANGUAGE,
    TRANSLATABLE,
    Translation,
    localise_data,
    split_inline,
)

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$", description="short id")]
Scale = Annotated[int, Field(ge=1, le=5)]

# The scales, posture poles, statuses and kinds are data: strategy/vocabularies.yaml, with their
# words in the four interface languages (see vocabulary.py). A field accepts exactly its
# vocabulary's ids; the JSON schema lists them.
vocabulary.register_terms()


def likelihood_labels(lang: str | None = None) -> dict[int, str]:
    """Likelihood level → what it means, in the reader's language."""
    return vocabulary.scale("likelihood", lang)


def impact_labels(lang: str | None = None) -> dict[int, str]:
    """Impact level → what it means, in the reader's language."""
    return vocabulary.scale("impact", lang)


posture_dimensions = vocabulary.dimensions  # the fields of Posture, in order
posture_poles = vocabulary.posture  # dimension → (first pole, second pole), reader's language
component_singular = vocabulary.singular  # "objective" / "objectif"
component_plural = vocabulary.plural  # "vital interests" / "intérêts vitaux"
component_title = vocabulary.title  # "Vital interests" / "Intérêts vitaux"
component_titles = vocabulary.titles
vocabulary_ids = vocabulary.ids  # the values of "actor-kind", "objective-status", ...


def _accepts(name: str) -> AfterValidator:
    """Validation: the value is one of the vocabulary's ids."""
    return AfterValidator(partial(vocabulary.check, name))


def _lists(name: str) -> WithJsonSchema:
    """JSON schema: a string, one of the vocabulary's ids."""
    return WithJsonSchema({"type": "string", "enum": list(vocabulary.ids(name))})


StrategyStatus = Annotated[str, _accepts("strategy-status"), _lists("strategy-status")]
ObjectiveStatus = Annotated[str, _accepts("objective-status"), _lists("objective-status")]
# A threat has an author; a challenge (climate, epidemics, economic crisis) has none.
ThreatKind = Annotated[str, _accepts("threat-kind"), _lists("threat-kind")]
ActorKind = Annotated[str, _accepts("actor-kind"), _lists("actor-kind")]
CapabilityKind = Annotated[str, _accepts("capability-kind"), _lists("capability-kind")]


def threat_categories() -> tuple[str, ...]:
    """What a threat's category may be: the horizon taxonomy's category ids (with "none")."""
    return tuple(category_ids())


def _check_category(v: str) -> str:
    known = threat_categories()
    if v not in known:
        raise ValueError(f"unknown category {v!r}; known: {', '.join(known)}")
    return v


ThreatCategory = Annotated[str, AfterValidator(_check_category)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Translatable(_Strict):
    """A record whose prose fields (``PROSE``) may carry translations (see translations.py)."""

    PROSE: ClassVar[tuple[str, ...]] = ()
    translations: dict[str, dict[str, Translation]] = Field(
        default_factory=dict,
        description="language -> field -> translated text and the hash of its source text",
    )

    @model_validator(mode="before")
    @classmethod
    def _inline_translations(cls, data: Any) -> Any:
        return split_inline(cls.PROSE, data)


class _Record(_Translatable):
    """Fields every component record has."""

    id: Slug
    marking: str = "UNCLASSIFIED"

    @field_validator("marking")
    @classmethod
    def _marking(cls, v: str) -> str:
        return str(Marking.parse(v))


class Member(_Strict):
    actor: Slug
    role: str = Field(default="member", max_length=80)


class Actor(_Record):
    PROSE = TRANSLATABLE["actors"]
    name: str = Field(min_length=1, max_length=200)
    kind: ActorKind
    parent: Slug | None = None
    description: str = Field(default="", max_length=4000)
    members: list[Member] = Field(default_factory=list)


class VitalInterest(_Record):
    PROSE = TRANSLATABLE["interests"]
    title: str = Field(min_length=1, max_length=200)
    statement: str = Field(min_length=1, max_length=4000)


class Threat(_Record):
    PROSE = TRANSLATABLE["threats"]
    title: str = Field(min_length=1, max_length=200)
    kind: ThreatKind
    category: ThreatCategory
    description: str = Field(default="", max_length=6000)
    authors: list[Slug] = Field(default_factory=list)
    horizon_years: int = Field(ge=1, le=20)
    likelihood: Scale | None = None
    impact: Scale | None = None
    black_swan: bool = False
    vulnerability: str | None = Field(default=None, max_length=2000)
    interests: list[Slug] = Field(default_factory=list)

    @model_validator(mode="after")
    def _author_rule(self) -> Threat:
        if self.kind == "challenge" and self.authors:
            raise ValueError("a challenge has no author; make it a threat or drop the authors")
        return self


class Posture(_Strict):
    ally_independent: Scale | None = None
    bridge_antagonist: Scale | None = None
    values_transactional: Scale | None = None
    defensive_assertive: Scale | None = None


class Role(_Record):
    PROSE = TRANSLATABLE["roles"]
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    posture: Posture = Field(default_factory=Posture)


class Indicator(_Strict):
    name: str = Field(min_length=1, max_length=200)
    unit: str = Field(default="", max_length=40)
    baseline: float | None = None
    target: float | None = None
    due: dt.date | None = None


class Objective(_Record):
    PROSE = TRANSLATABLE["objectives"]
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=6000)
    horizon: int
    owner: Slug | None = None
    contributors: list[Slug] = Field(default_factory=list)
    deadline: dt.date | None = None
    priority: bool = False
    status: ObjectiveStatus = "planned"
    parent: Slug | None = None
    indicators: list[Indicator] = Field(default_factory=list)
    interests: list[Slug] = Field(default_factory=list)
    threats: list[Slug] = Field(default_factory=list)
    roles: list[Slug] = Field(default_factory=list)

    @field_validator("horizon")
    @classmethod
    def _horizon(cls, v: int) -> int:
        if v not in (5, 10):
            raise ValueError("horizon must be 5 or 10 (years)")
        return v


class BudgetLine(_Strict):
    year: int = Field(ge=1990, le=2100)
    amount: float = Field(ge=0)
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    source: str = Field(default="", max_length=200)


class Personnel(_Strict):
    year: int = Field(ge=1990, le=2100)
    fte: float = Field(ge=0)


class Capability(_Record):
    PROSE = TRANSLATABLE["capabilities"]
    name: str = Field(min_length=1, max_length=200)
    kind: CapabilityKind
    owner: Slug | None = None
    description: str = Field(default="", max_length=6000)
    budget: list[BudgetLine] = Field(default_factory=list)
    personnel: list[Personnel] = Field(default_factory=list)
    objectives: list[Slug] = Field(default_factory=list)


class Period(_Strict):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _order(self) -> Period:
        if self.end <= self.start:
            raise ValueError("period end must come after its start")
        return self


class StrategyMeta(_Translatable):
    """``strategy.yaml``: the strategy itself."""

    PROSE = TRANSLATABLE["strategy"]

    id: Slug
    title: str = Field(min_length=1, max_length=300)
    country: str = Field(min_length=1, max_length=100)
    edition: str = Field(default="", max_length=100)
    period: Period
    status: StrategyStatus = "draft"
    marking: str = "UNCLASSIFIED"
    summary: str = Field(default="", max_length=8000)
    notice: str = Field(
        default="", max_length=2000, description="e.g. 'illustrative, not official'"
    )
    max_priorities: int = Field(default=10, ge=1, le=100)

    _marking = field_validator("marking")(_Record._marking.__func__)  # type: ignore[attr-defined]


# The component files of a package, in the order of the strategy's five components.
COMPONENTS: dict[str, type[_Record]] = {
    "actors": Actor,
    "interests": VitalInterest,
    "threats": Threat,
    "roles": Role,
    "objectives": Objective,
    "capabilities": Capability,
}


class Package(_Strict):
    """A whole strategy: what lint, trace and render work on."""

    strategy: StrategyMeta
    actors: list[Actor] = Field(default_factory=list)
    interests: list[VitalInterest] = Field(default_factory=list)
    threats: list[Threat] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    objectives: list[Objective] = Field(default_factory=list)
    capabilities: list[Capability] = Field(default_factory=list)
    # Set on filtered editions: how many records were left out above the edition's marking.
    withheld: int = 0
    max_marking: str | None = None
    # Set on editions in another language than the source: how many texts are not translated.
    # (Left out of dumps: they describe a rendering, not the strategy.)
    language: str | None = Field(default=None, exclude=True)
    untranslated: int = Field(default=0, exclude=True)

    def records(self) -> list[tuple[str, _Record]]:
        out: list[tuple[str, _Record]] = []
        for comp in COMPONENTS:
            out.extend((comp, r) for r in getattr(self, comp))
        return out

    def by_id(self, component: str) -> dict[str, Any]:
        return {r.id: r for r in getattr(self, component)}

    def in_language(self, lang: str) -> Package:
        """The package with its prose in ``lang``: translated where a translation exists,
        else the source text marked as not translated (``[EN] ...``); ``untranslated`` counts
        those. Ids, links, markings and numbers are unchanged."""
        if lang == SOURCE_LANGUAGE:
            return self
        left = 0
        update: dict[str, Any] = {}
        for comp in ("strategy", *COMPONENTS):
            items = [self.strategy] if comp == "strategy" else getattr(self, comp)
            done = []
            for rec in items:
                fields = TRANSLATABLE[comp]
                shown, n = localise_data(fields, rec.model_dump(mode="json"), lang)
                left += n
                # Not validated again: a translation or a marker may be longer than the source.
                done.append(rec.model_copy(update={f: shown[f] for f in fields}))
            update[comp] = done[0] if comp == "strategy" else done
        return self.model_copy(update={**update, "language": lang, "untranslated": left})

    def highest_marking(self) -> Marking:
        m = Marking.parse(self.strategy.marking)
        for _, r in self.records():
            m = m.join(Marking.parse(r.marking))
        return m
