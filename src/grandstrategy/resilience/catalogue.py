"""The resilience catalogue: NATO's seven baseline requirements, and the extra sectors that
complete an input-output table, as typed, validated data.

The catalogue (``requirements.yaml``) is vocabulary, not code: an analyst can add a criterion,
an extra sector or move an industry code by editing a copy of the file. Because the industry
codes decide how an input-output table is aggregated, a code that is missing, listed twice or
not in the classification would silently distort every cascade; the loader refuses such a file
and lists every problem at once, each with the sector it sits in.

The file also carries two scales: the 0–5 maturity scale of assessments, and the 0–5 expert
consequence scale with the rule that converts a score into a dependence a*_ij.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from grandstrategy.core.errors import Invalid
from grandstrategy.core.labelled import Labelled

_SLUG = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"
LEVELS = range(6)  # both scales run from 0 to 5
MIN_CRITERIA, MAX_CRITERIA = 3, 6  # per baseline requirement


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Criterion(Labelled, _Frozen):
    """One thing an assessor rates on the maturity scale, with what level 5 looks like."""

    id: str = Field(pattern=_SLUG)
    title: str = Field(min_length=1)
    level_5: str = Field(min_length=1)
    LABELLED: ClassVar[str] = "title"


class Industry(_Frozen):
    """An industry code of the input-output table and why it belongs to its sector."""

    code: str = Field(min_length=1)
    why: str = Field(min_length=1)


class CerSector(Labelled, _Frozen):
    """A sector of the Annex to the EU Critical Entities Resilience directive (2022/2557)."""

    id: str = Field(pattern=_SLUG)
    title: str = Field(min_length=1)
    LABELLED: ClassVar[str] = "title"


class Sector(Labelled, _Frozen):
    """A baseline requirement (``kind: requirement``) or an extra sector (``kind: extra``)."""

    id: str = Field(pattern=_SLUG)
    kind: Literal["requirement", "extra"]
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    criteria: tuple[Criterion, ...] = ()
    cer_sectors: tuple[str, ...] = ()
    cer_note: str | None = None
    industries: tuple[Industry, ...] = ()
    LABELLED: ClassVar[str] = "title"

    @property
    def codes(self) -> tuple[str, ...]:
        """The industry codes that aggregate to this sector."""
        return tuple(i.code for i in self.industries)


class MaturityLevel(Labelled, _Frozen):
    """One level of the 0–5 maturity scale."""

    level: int = Field(ge=0, le=5)
    name: str = Field(min_length=1)
    meaning: str = Field(min_length=1)


class ConsequenceLevel(Labelled, _Frozen):
    """One level of the expert consequence scale and the a*_ij it converts to."""

    level: int = Field(ge=0, le=5)
    name: str = Field(min_length=1)
    meaning: str = Field(min_length=1)
    a_star: float = Field(ge=0, lt=1, allow_inf_nan=False)


class IndustryClassification(_Frozen):
    """The industry codes of the input-output tables the catalogue aggregates."""

    name: str = Field(min_length=1)
    codes: tuple[str, ...] = Field(min_length=1)


def _problems(catalogue: Catalogue) -> list[str]:
    """Every cross-reference problem of a catalogue whose fields are individually valid."""
    out: list[str] = []
    ids = Counter(s.id for s in catalogue.sectors)
    out += [f"sector id {sid!r} is used {n} times" for sid, n in ids.items() if n > 1]
    cer_ids = {c.id for c in catalogue.cer_sectors}
    known = set(catalogue.industry_classification.codes)
    seen: dict[str, str] = {}
    for s in catalogue.sectors:
        where = f"sector {s.id!r}"
        if s.kind == "requirement" and not MIN_CRITERIA <= len(s.criteria) <= MAX_CRITERIA:
            out.append(f"{where}: a requirement needs {MIN_CRITERIA}–{MAX_CRITERIA} criteria")
        repeated = [c for c, n in Counter(c.id for c in s.criteria).items() if n > 1]
        out += [f"{where}: criterion {c!r} is listed twice" for c in repeated]
        out += [f"{where}: unknown CER sector {c!r}" for c in s.cer_sectors if c not in cer_ids]
        for code in s.codes:
            if code not in known:
                out.append(f"{where}: industry {code!r} is not in the classification")
            elif code in seen:
                out.append(f"{where}: industry {code!r} is already assigned to {seen[code]!r}")
            else:
                seen[code] = s.id
    missing = [c for c in catalogue.industry_classification.codes if c not in seen]
    if missing:
        out.append(f"industries assigned to no sector: {', '.join(missing)}")
    used = {c for s in catalogue.sectors for c in s.cer_sectors}
    for cer in catalogue.cer_sectors:
        if cer.id not in used:
            out.append(f"CER sector {cer.id!r} is covered by no sector")
    for scale in ("maturity_scale", "consequence_scale"):
        if [lv.level for lv in getattr(catalogue, scale)] != list(LEVELS):
            out.append(f"{scale}: needs exactly the levels 0, 1, 2, 3, 4, 5 in order")
    a_values = [lv.a_star for lv in catalogue.consequence_scale]
    if a_values and (a_values[0] != 0 or a_values != sorted(a_values)):
        out.append("consequence_scale: a_star must start at 0 and never decrease")
    return out


class Catalogue(_Frozen):
    """The whole catalogue. Sectors keep the order of the file (requirements first)."""

    version: int = Field(ge=1)
    industry_classification: IndustryClassification
    cer_sectors: tuple[CerSector, ...]
    maturity_scale: tuple[MaturityLevel, ...]
    consequence_scale: tuple[ConsequenceLevel, ...]
    sectors: tuple[Sector, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        problems = _problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def requirements(self) -> tuple[Sector, ...]:
        """The baseline requirements, in file order."""
        return tuple(s for s in self.sectors if s.kind == "requirement")

    @property
    def sector_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sectors)

    def sector(self, sector_id: str) -> Sector:
        """The sector with this id; :class:`Invalid` naming the known ids otherwise."""
        for s in self.sectors:
            if s.id == sector_id:
                return s
        raise Invalid(f"unknown sector {sector_id!r}; known: {', '.join(self.sector_ids)}")

    def groups(self) -> dict[str, tuple[str, ...]]:
        """Sector id → its industry codes, for aggregating an input-output table."""
        return {s.id: s.codes for s in self.sectors}

    def sector_of(self, code: str) -> str:
        """The id of the sector an industry code is assigned to."""
        for s in self.sectors:
            if code in s.codes:
                return s.id
        raise Invalid(f"industry code {code!r} is assigned to no sector")

    def consequence_to_a_star(self, level: int) -> float:
        """The dependence a*_ij for an expert's consequence score (0–5)."""
        if isinstance(level, bool) or level not in LEVELS:
            raise Invalid(f"a consequence score is an integer from 0 to 5; got {level!r}")
        return self.consequence_scale[level].a_star

    def maturity(self, level: int) -> MaturityLevel:
        """The definition of a maturity level (0–5)."""
        if isinstance(level, bool) or level not in LEVELS:
            raise Invalid(f"a maturity level is an integer from 0 to 5; got {level!r}")
        return self.maturity_scale[level]


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def parse_catalogue(text: str, source: str = "requirements.yaml") -> Catalogue:
    """Validate YAML text as a catalogue; every problem becomes a detail of one :class:`Invalid`."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise Invalid(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise Invalid(f"{source}: expected a mapping at the top level")
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        details: list[str] = []
        sectors = data.get("sectors")
        for error in exc.errors():
            loc, prefix = tuple(error["loc"]), ""
            if loc[:1] == ("sectors",) and len(loc) >= 2 and isinstance(loc[1], int):
                # Pydantic counts list positions; an analyst looks for the sector id.
                entry = sectors[loc[1]] if isinstance(sectors, list) else None
                sid = entry.get("id") if isinstance(entry, dict) else None
                prefix, loc = (f"sector {sid!r}: " if sid else f"sectors[{loc[1]}]: "), loc[2:]
            where = _where(loc)
            message = str(error["msg"]).removeprefix("Value error, ")
            details += [prefix + (f"{where}: {m}" if where else m) for m in message.split("; ")]
        raise Invalid(f"{source}: the resilience catalogue is invalid", details=details) from None


@cache
def _packaged() -> Catalogue:
    here = resources.files("grandstrategy.resilience")
    return parse_catalogue(here.joinpath("requirements.yaml").read_text("utf-8"))


def load_catalogue(path: Path | None = None) -> Catalogue:
    """The packaged catalogue (read once, then cached), or the one at ``path`` (read each time,
    since that is the copy an analyst is editing)."""
    if path is None:
        return _packaged()
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise Invalid(f"cannot read the resilience catalogue {path}: {exc.strerror}") from exc
    return parse_catalogue(text, source=str(path))
