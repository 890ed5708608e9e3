"""Markings: classification levels plus need-to-know compartments.

The scheme is data (``markings.yaml``). A :class:`Marking` is a value: a level index and a
frozen set of compartments. Markings form a lattice: ``a <= b`` when b's level is at least a's
and b holds every compartment of a; the marking of something derived from several records is
their least upper bound (:func:`combine`): the highest level and the union of compartments.

In the database a marked record stores ``marking_level`` (an integer, the index of its level)
and ``marking_compartments``: the sorted compartment names between pipes, ``"|EU|NATO|"``, or
``"|"`` when there are none. That form lets :func:`grandstrategy.core.authz.restrict` test
"every compartment is held" in portable SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import ClassVar, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from grandstrategy.core.errors import Invalid
from grandstrategy.core.labelled import Labelled

COMPARTMENT_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")


class LevelDef(Labelled):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[A-Z][A-Z-]*$")
    description: str
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    # The Traffic Light Protocol colour a record at this level travels under when it is
    # exported to partners (STIX); the national marking goes with it as a statement.
    tlp: Literal["white", "green", "amber", "red"] = "red"
    LABELLED: ClassVar[str] = "description"


class CompartmentDef(Labelled):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    description: str
    LABELLED: ClassVar[str] = "description"

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not COMPARTMENT_RE.match(v):
            raise ValueError(f"compartment {v!r}: use A-Z, 0-9 and '-' (max 32)")
        return v


class Scheme(BaseModel):
    """The marking scheme as loaded from YAML and validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    levels: tuple[LevelDef, ...]
    audit_reads_from: str
    compartments: tuple[CompartmentDef, ...] = ()

    @field_validator("levels")
    @classmethod
    def _levels(cls, v: tuple[LevelDef, ...]) -> tuple[LevelDef, ...]:
        names = [lv.name for lv in v]
        if len(v) < 2:
            raise ValueError("a scheme needs at least two levels")
        if len(set(names)) != len(names):
            raise ValueError("level names must be unique")
        return v

    def level_index(self, name: str) -> int:
        for i, lv in enumerate(self.levels):
            if lv.name == name.strip().upper():
                return i
        known = ", ".join(lv.name for lv in self.levels)
        raise Invalid(f"unknown marking level {name!r}; known levels: {known}")

    def level_name(self, index: int) -> str:
        return self.levels[index].name

    @property
    def audit_read_index(self) -> int:
        return self.level_index(self.audit_reads_from)

    @property
    def top(self) -> int:
        return len(self.levels) - 1


@cache
def scheme() -> Scheme:
    """The packaged scheme (cached: it is immutable data, not a setting)."""
    text = resources.files("grandstrategy.core").joinpath("markings.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    s = Scheme.model_validate(data)
    s.level_index(s.audit_reads_from)
    return s


def check_compartment(name: str) -> str:
    name = name.strip().upper()
    if not COMPARTMENT_RE.match(name):
        raise Invalid(f"compartment {name!r}: use letters A-Z, digits and '-' (at most 32)")
    return name


@dataclass(frozen=True, order=False)
class Marking:
    """A level index and a set of compartments."""

    level: int = 0
    compartments: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, text: str | None) -> Marking:
        """Parse ``"LEVEL"`` or ``"LEVEL//COMP1/COMP2"`` (banner form)."""
        if text is None or not str(text).strip():
            return cls()
        raw = str(text).strip()
        level_part, _, comp_part = raw.partition("//")
        level = scheme().level_index(level_part)
        comps = frozenset(check_compartment(c) for c in comp_part.split("/") if c.strip())
        return cls(level, comps)

    @classmethod
    def from_columns(cls, level: int, compartments: str) -> Marking:
        return cls(level, frozenset(c for c in compartments.split("|") if c))

    @property
    def level_name(self) -> str:
        return scheme().level_name(self.level)

    @property
    def colour(self) -> str:
        return scheme().levels[self.level].colour

    @property
    def column_compartments(self) -> str:
        return "|" + "".join(f"{c}|" for c in sorted(self.compartments))

    def __str__(self) -> str:
        if not self.compartments:
            return self.level_name
        return self.level_name + "//" + "/".join(sorted(self.compartments))

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Marking):
            return NotImplemented
        return self.level <= other.level and self.compartments <= other.compartments

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Marking):
            return NotImplemented
        return self <= other and self != other

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Marking):
            return NotImplemented
        return other <= self

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Marking):
            return NotImplemented
        return other < self

    def join(self, other: Marking) -> Marking:
        """Least upper bound: the marking of something made from both."""
        return Marking(max(self.level, other.level), self.compartments | other.compartments)


UNCLASSIFIED = Marking()


def combine(markings: Iterable[Marking]) -> Marking:
    """The marking of a derived record: highest level, union of compartments.

    An empty input gives UNCLASSIFIED (nothing was drawn on).
    """
    out = UNCLASSIFIED
    for m in markings:
        out = out.join(m)
    return out


def readable(marking: Marking, clearance: int, compartments: frozenset[str]) -> bool:
    """Whether a reader with this clearance and these compartments may read the marking."""
    return marking.level <= clearance and marking.compartments <= compartments
