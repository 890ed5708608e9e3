"""The threat taxonomy: the categories a passage can be classified into, and the keyword rules
that recognise them.

The taxonomy is data (``taxonomy.yaml``) so that analysts can add a category, a term or a
language without touching code: they edit a copy of the file and point the system at it. It is
checked when it is loaded, and every problem is reported with the category and the field it
sits in, because a typo in a keyword list otherwise fails silently (the rule just never fires).

Rules follow the Europe Media Monitor "alert" style: each rule has a weight and fires when one
of its ``any`` terms occurs, every ``all`` group has a term somewhere in the passage, and no
``none`` (veto) term occurs. A category fires when the weights of its firing rules reach its
threshold. The category ``none`` has no rules: it is what a passage is when nothing fires.

Term syntax (checked here, matched by :mod:`grandstrategy.horizon.classify.rules`): words
of letters or digits, case-insensitive, matched at word boundaries; words in a phrase are
separated by spaces, hyphens or apostrophes (any of those matches any other in the text); a
``*`` may end a word and stands for any further letters (``cyberaanval*``). A leading ``*`` is
refused: German compounds are listed one by one (``Cyberangriff*``, ``Hackerangriff*``), which
keeps matching a dictionary lookup instead of a scan.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.labelled import Labelled

SUPPORTED_LANGUAGES = ("en", "fr", "nl", "de")
NONE_ID = "none"
# A wildcard on a stem shorter than this would match a large share of all words.
MIN_WILDCARD_STEM = 3

_SLUG = r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"
_WORD = re.compile(r"^\w+\*?$")
# What may separate the words of a phrase, in a term and in the text.
SEPARATOR_CHARS = "\\s\\-\u2010\u2011\u2013'\u2019"
_SEPARATORS = re.compile(f"[{SEPARATOR_CHARS}]+")


def term_words(term: str) -> list[tuple[str, bool]]:
    """Split a (valid) term into its lower-case words, each with whether it ends in ``*``."""
    words = _SEPARATORS.split(term.strip())
    return [(w.rstrip("*").lower(), w.endswith("*")) for w in words if w]


def check_term(term: str) -> str:
    """Return the term in NFC form, or raise an error that says what is wrong with it."""
    text = unicodedata.normalize("NFC", term).strip()
    if not text:
        raise PydanticCustomError("term_empty", "a term must not be empty")
    if _SEPARATORS.match(text) or _SEPARATORS.fullmatch(text[-1]):
        raise PydanticCustomError(
            "term_edge", "term {term}: must not start or end with a separator", {"term": repr(term)}
        )
    for word in _SEPARATORS.split(text):
        if word.startswith("*"):
            raise PydanticCustomError(
                "term_leading_wildcard",
                "term {term}: a leading '*' is not supported, only a trailing one; "
                "list the compounds instead (e.g. 'Cyberangriff*', 'Hackerangriff*')",
                {"term": repr(term)},
            )
        if "*" in word[:-1]:
            raise PydanticCustomError(
                "term_inner_wildcard",
                "term {term}: '*' may only stand at the end of a word",
                {"term": repr(term)},
            )
        if not _WORD.match(word):
            raise PydanticCustomError(
                "term_characters",
                "term {term}: use letters and digits, with spaces, hyphens or apostrophes "
                "between words",
                {"term": repr(term)},
            )
        if word.endswith("*") and len(word) - 1 < MIN_WILDCARD_STEM:
            raise PydanticCustomError(
                "term_short_stem",
                "term {term}: a '*' needs at least {n} letters before it",
                {"term": repr(term), "n": MIN_WILDCARD_STEM},
            )
    return text


def _check_language(lang: str) -> str:
    if lang not in SUPPORTED_LANGUAGES:
        raise PydanticCustomError(
            "language",
            "unknown language {lang}; supported: {known}",
            {"lang": repr(lang), "known": ", ".join(SUPPORTED_LANGUAGES)},
        )
    return lang


# Validated one by one, so that an error's location names the list index of the culprit.
Term = Annotated[str, AfterValidator(check_term)]
Language = Annotated[str, AfterValidator(_check_language)]


class Rule(BaseModel):
    """One weighted keyword rule of a category."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    weight: float
    any: list[Term] = Field(min_length=1)
    all: list[list[Term]] = Field(default_factory=list)
    none: list[Term] = Field(default_factory=list)
    languages: list[Language] | None = None

    @field_validator("weight")
    @classmethod
    def _weight(cls, v: float) -> float:
        # A negative weight is allowed on purpose: it lets a rule count against a category.
        if v == 0 or not math.isfinite(v):
            raise PydanticCustomError("weight", "the weight must be a non-zero number")
        return v

    @field_validator("all")
    @classmethod
    def _groups(cls, v: list[list[str]]) -> list[list[str]]:
        for i, group in enumerate(v):
            if not group:
                raise PydanticCustomError(
                    "group_empty", "group {i} of 'all' is empty: it could never match", {"i": i}
                )
        return v

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and not v:
            raise PydanticCustomError(
                "languages_empty", "'languages' is empty: leave it out to apply to every language"
            )
        return v

    @property
    def label(self) -> str:
        """What an explanation calls the rule: its name, else its first terms."""
        if self.name:
            return self.name
        shown = ", ".join(self.any[:3]) + (", …" if len(self.any) > 3 else "")
        return f"any of: {shown}"


def _where(loc: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as ``rules[2].any[0]``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(error: Any) -> str:
    where = _where(error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


class Category(Labelled):
    """A threat category: what it covers, which interests it endangers and how to spot it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    interests: list[str] = Field(default_factory=list)
    threshold: float = Field(gt=0, allow_inf_nan=False)
    rules: list[Rule] = Field(default_factory=list)

    @field_validator("interests")
    @classmethod
    def _interests(cls, v: list[str]) -> list[str]:
        for interest in v:
            if not re.match(_SLUG, interest):
                raise PydanticCustomError(
                    "interest",
                    "interest {i} is not an id (lower case, digits, '-')",
                    {"i": repr(interest)},
                )
        return v

    @model_validator(mode="after")
    def _rules_fit_the_id(self) -> Category:
        if self.id == NONE_ID and self.rules:
            raise PydanticCustomError(
                "none_rules", "'none' takes no rules: it is what is left when nothing fires"
            )
        if self.id != NONE_ID and not self.rules:
            raise PydanticCustomError("no_rules", "a category needs at least one rule")
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _name_the_category(
        cls, data: Any, handler: ModelWrapValidatorHandler[Category]
    ) -> Category:
        # Pydantic locates errors by list index ("categories.7.rules.3.any.0"); an analyst
        # editing the YAML looks for the category id, so every message leads with it.
        try:
            return handler(data)
        except ValidationError as exc:
            cid = data.get("id") if isinstance(data, dict) else None
            who = f"category {cid!r}" if cid else "a category without an id"
            problems = "; ".join(_describe(e) for e in exc.errors())
            raise PydanticCustomError(
                "category", "{who}: {problems}", {"who": who, "problems": problems}
            ) from None


class Taxonomy(BaseModel):
    """The whole taxonomy, in the order the categories are listed in the file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    categories: list[Category] = Field(min_length=1)

    @field_validator("categories")
    @classmethod
    def _categories(cls, v: list[Category]) -> list[Category]:
        seen: set[str] = set()
        for cat in v:
            if cat.id in seen:
                raise PydanticCustomError(
                    "duplicate_id", "duplicate category id {id}", {"id": repr(cat.id)}
                )
            seen.add(cat.id)
        if NONE_ID not in seen:
            raise PydanticCustomError(
                "none_missing",
                "the taxonomy needs a category 'none' (no rules) for passages nothing fires on",
            )
        return v

    def ids(self) -> list[str]:
        return [c.id for c in self.categories]

    def get(self, category_id: str) -> Category:
        for cat in self.categories:
            if cat.id == category_id:
                return cat
        raise Invalid(
            _("unknown threat category {name!r}; known: {known}").format(
                name=category_id, known=", ".join(self.ids())
            )
        )


def parse_taxonomy(text: str, source: str = "taxonomy") -> Taxonomy:
    """Validate YAML text as a taxonomy; errors become one :class:`Invalid` listing them all."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise Invalid(f"{source}: not valid YAML: {exc}") from exc
    try:
        return Taxonomy.model_validate(data)
    except ValidationError as exc:
        details = [_describe(e) for e in exc.errors()]
        raise Invalid(f"{source}: the threat taxonomy is invalid", details=details) from exc


@cache
def _packaged() -> Taxonomy:
    text = resources.files("grandstrategy.horizon").joinpath("taxonomy.yaml").read_text("utf-8")
    return parse_taxonomy(text, "packaged taxonomy.yaml")


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """The taxonomy at ``path``, or the packaged one.

    Only the packaged file is cached: a configured file is the one analysts edit, and they
    expect their change to count the next time it is loaded.
    """
    if path is None:
        return _packaged()
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise Invalid(f"cannot read the threat taxonomy {path}: {exc.strerror}") from exc
    return parse_taxonomy(text, str(path))
