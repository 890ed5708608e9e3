"""The strategy's vocabularies (``vocabularies.yaml``) as typed, checked data.

Scales, posture poles, statuses, kinds and the names of the components are data, not code: the
YAML file is the only place their values are defined, with the words a reader sees in each
interface language. The schemas accept exactly the ids listed there (:func:`check`), pages,
editions, lint messages and the CLI show them through :func:`label` and friends, and
:func:`register_terms` hands the statuses and kinds to ``core.terms`` so that templates can
write ``term(value, "actor-kind")``.

A file is refused when an entry misses one of the interface languages, an id is repeated or a
scale does not run 1–5; every problem is reported at once, naming its vocabulary and entry.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, ClassVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from grandstrategy.core import i18n, terms
from grandstrategy.core.errors import Invalid
from grandstrategy.core.labelled import Labelled

# What every entry must be written in besides English.
TARGETS = tuple(lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT_LANGUAGE)
# The vocabularies a record's field takes its values from (the others are scales and names).
ENUMS = ("strategy-status", "objective-status", "threat-kind", "actor-kind", "capability-kind")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Words(Labelled, _Frozen):
    """A text in English (``text``) and in every other interface language (``labels``)."""

    LABELLED: ClassVar[str] = "text"
    text: str = Field(min_length=1)

    @model_validator(mode="after")
    def _every_language(self) -> Words:
        missing = [lang for lang in TARGETS if lang not in self.labels]
        if missing:
            raise ValueError(f"{self.text!r} has no {', '.join(missing)} label")
        return self


class Entry(Words):
    """One value of a vocabulary: its id and its words."""

    id: str = Field(pattern=r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


class Level(Words):
    """One level of a 1–5 scale."""

    id: int = Field(ge=1, le=5)


class Dimension(_Frozen):
    """A posture dimension: a role sits between its two poles (1 = the first, 5 = the second)."""

    id: str = Field(pattern=r"^[a-z]+_[a-z]+$")
    poles: tuple[Words, Words]


class ComponentNames(_Frozen):
    """How a component is called: one record, several, and as a heading."""

    id: str
    singular: Words
    plural: Words
    title: Words


def _unique(section: str, ids: list[Any]) -> None:
    seen: set[Any] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"{section}: id {i!r} is listed twice")
        seen.add(i)


class Vocabularies(_Frozen):
    """The whole file, one field per section."""

    likelihood: tuple[Level, ...]
    impact: tuple[Level, ...]
    posture: tuple[Dimension, ...] = Field(min_length=1)
    strategy_status: tuple[Entry, ...] = Field(alias="strategy-status", min_length=1)
    objective_status: tuple[Entry, ...] = Field(alias="objective-status", min_length=1)
    threat_kind: tuple[Entry, ...] = Field(alias="threat-kind", min_length=1)
    actor_kind: tuple[Entry, ...] = Field(alias="actor-kind", min_length=1)
    capability_kind: tuple[Entry, ...] = Field(alias="capability-kind", min_length=1)
    components: tuple[ComponentNames, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids(self) -> Vocabularies:
        for scale in ("likelihood", "impact"):
            levels = [e.id for e in getattr(self, scale)]
            if sorted(levels) != [1, 2, 3, 4, 5]:
                raise ValueError(f"{scale}: the levels must be 1 to 5, once each (got {levels})")
        _unique("posture", [d.id for d in self.posture])
        _unique("components", [c.id for c in self.components])
        for name in ENUMS:
            _unique(name, [e.id for e in self.entries(name)])
        return self

    def entries(self, name: str) -> tuple[Entry, ...]:
        """The entries of one of :data:`ENUMS` (``"actor-kind"``)."""
        if name not in ENUMS:
            raise KeyError(name)
        return getattr(self, name.replace("-", "_"))  # type: ignore[no-any-return]


def _where(data: Any, loc: tuple[int | str, ...]) -> str:
    """``actor-kind 'think-tank'.labels`` for the location ``('actor-kind', 10, 'labels')``."""
    if not loc:
        return "(file)"
    out = str(loc[0])
    node = data.get(loc[0]) if isinstance(data, dict) else None
    for part in loc[1:]:
        item = node[part] if isinstance(node, list) and isinstance(part, int) else None
        if isinstance(item, dict) and "id" in item:
            out += f" {item['id']!r}"
        elif isinstance(item, dict) and "text" in item:
            out += f" {item['text']!r}"
        else:
            out += f"[{part}]" if isinstance(part, int) else f".{part}"
        node = item if item is not None else (node.get(part) if isinstance(node, dict) else None)
    return out


def parse(text: str, source: str = "vocabularies") -> Vocabularies:
    """Validate YAML text as the strategy's vocabularies; every problem in one :class:`Invalid`
    whose details name the vocabulary and the entry (``actor-kind 'think-tank': ...``)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise Invalid(f"{source}: not valid YAML: {exc}") from exc
    try:
        return Vocabularies.model_validate(data)
    except ValidationError as exc:
        details = [
            f"{_where(data, e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        ]
        raise Invalid(f"{source}: the strategy vocabularies are invalid", details=details) from exc


@cache
def vocabularies() -> Vocabularies:
    """The packaged vocabularies, read and checked once."""
    text = (
        resources.files("grandstrategy.strategy").joinpath("vocabularies.yaml").read_text("utf-8")
    )
    return parse(text, "packaged vocabularies.yaml")


def ids(name: str) -> tuple[str, ...]:
    """The values one of :data:`ENUMS` accepts, in the file's order."""
    return tuple(e.id for e in vocabularies().entries(name))


def check(name: str, value: str) -> str:
    """``value`` if the vocabulary ``name`` lists it, else a ValueError naming the known ones."""
    known = ids(name)
    if value not in known:
        raise ValueError(f"unknown {name} {value!r}; known: {', '.join(known)}")
    return value


def label(name: str, value: Any, lang: str | None = None) -> str:
    """A value of one of :data:`ENUMS` in the reader's words (an unknown value as it is)."""
    text = str(getattr(value, "value", value))
    for entry in vocabularies().entries(name):
        if entry.id == text:
            return entry.label(lang)
    return text


def scale(name: str, lang: str | None = None) -> dict[int, str]:
    """``likelihood`` or ``impact``: level → what it means, in the reader's language."""
    levels = getattr(vocabularies(), name) if name in ("likelihood", "impact") else None
    if levels is None:
        raise KeyError(name)
    return {lv.id: lv.label(lang) for lv in sorted(levels, key=lambda lv: lv.id)}


def dimensions() -> tuple[str, ...]:
    """The posture dimensions, in the file's order (the fields of ``schemas.Posture``)."""
    return tuple(d.id for d in vocabularies().posture)


def poles(dimension: str, lang: str | None = None) -> tuple[str, str]:
    """A posture dimension's two poles in the reader's language."""
    for d in vocabularies().posture:
        if d.id == dimension:
            return d.poles[0].label(lang), d.poles[1].label(lang)
    raise KeyError(dimension)


def posture(lang: str | None = None) -> dict[str, tuple[str, str]]:
    """Every posture dimension → its two poles, in the reader's language."""
    return {d: poles(d, lang) for d in dimensions()}


def _names(component: str) -> ComponentNames:
    for c in vocabularies().components:
        if c.id == component:
            return c
    raise KeyError(component)


def singular(component: str, lang: str | None = None) -> str:
    """``objective`` / ``objectif``: one record of the component, in a sentence."""
    return _names(component).singular.label(lang)


def plural(component: str, lang: str | None = None) -> str:
    """``vital interests`` / ``intérêts vitaux``: several, in a sentence."""
    return _names(component).plural.label(lang)


def title(component: str, lang: str | None = None) -> str:
    """``Vital interests`` / ``Intérêts vitaux``: the component as a heading."""
    return _names(component).title.label(lang)


def titles(lang: str | None = None) -> dict[str, str]:
    """Every component → its heading, in the reader's language."""
    return {c.id: c.title.label(lang) for c in vocabularies().components}


def english_singular() -> dict[str, str]:
    """Component → its English singular: what audit records name as the object type."""
    return {c.id: c.singular.text for c in vocabularies().components}


def register_terms() -> None:
    """Hand the statuses and kinds to ``core.terms`` (core imports no capability)."""
    for name in ENUMS:
        terms.register(name, {e.id: e for e in vocabularies().entries(name)})
