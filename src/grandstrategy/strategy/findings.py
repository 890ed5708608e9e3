"""Lint findings: the rules, their severities, and how a finding names a record.

Kept apart from the checks (``lint.py``, ``lint_translations.py``) so that both build findings
the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grandstrategy.core.i18n import _, lazy
from grandstrategy.strategy.schemas import COMPONENTS, component_plural, component_singular

ERROR = "error"
WARNING = "warning"

# rule code -> (severity, what it checks); the single source for docs, help and severities.
RULES: dict[str, tuple[str, str]] = {
    "objective-no-owner": (ERROR, lazy("every objective has an owner (an actor)")),
    "objective-no-deadline": (ERROR, lazy("every objective has a deadline")),
    "owner-unknown": (ERROR, lazy("the owner of an objective or capability is a known actor")),
    "deadline-outside-horizon": (
        ERROR,
        lazy("an objective's deadline falls between the period start and the end of its horizon"),
    ),
    "dangling-link": (ERROR, lazy("every link names an existing record of the right component")),
    "duplicate-id": (ERROR, lazy("ids are unique within a component")),
    "threat-no-interest": (ERROR, lazy("every threat endangers at least one vital interest")),
    "interest-unserved": (ERROR, lazy("every vital interest is served by at least one objective")),
    "parent-cycle": (ERROR, lazy("objective parents do not form a cycle")),
    "too-many-priorities": (WARNING, lazy("no more priority objectives than the strategy allows")),
    "objective-no-indicator": (WARNING, lazy("every objective has at least one indicator")),
    "threat-unrated": (WARNING, lazy("every threat has a likelihood and an impact")),
    "no-long-horizon": (WARNING, lazy("at least one threat looks further than 10 years ahead")),
    "no-black-swan": (WARNING, lazy("at least one threat is marked as a black swan")),
    "capability-no-budget": (WARNING, lazy("every capability has budget lines")),
    "capability-unused": (WARNING, lazy("every capability serves at least one objective")),
    "threat-unaddressed": (WARNING, lazy("every threat is addressed by at least one objective")),
    "serves-unknown": (
        ERROR,
        lazy("every objective of a departmental strategy serves an objective of the national one"),
    ),
    "objective-no-department": (
        WARNING,
        lazy(
            "every national objective is served by a departmental objective, once departmental "
            "strategies exist"
        ),
    ),
    "translation-missing": (
        WARNING,
        lazy(
            "every prose text has a translation in each content language (setting "
            "GRANDSTRATEGY_CONTENT_LANGUAGES)"
        ),
    ),
    "translation-stale": (
        WARNING,
        lazy("no translation is older than the source text it was made from"),
    ),
}


def plural(component: str) -> str:
    """``vital interests`` / ``intérêts vitaux`` (``strategy`` for the strategy itself)."""
    return _("strategy") if component == "strategy" else component_plural(component)


# Strategy-level findings come first: strategy.yaml is the first file of a package.
_ORDER = {"strategy": 0, **{c: i + 1 for i, c in enumerate(COMPONENTS)}}


@dataclass(frozen=True)
class Finding:
    """One problem in the package, with where it is and how to fix it."""

    severity: str  # "error" or "warning"
    rule: str  # a key of RULES
    component: str  # "objectives", "threats", ... or "strategy"
    record_id: str  # the record's id; "" for strategy-level findings
    message: str  # what is wrong, naming the record (id and title)
    fix: str  # how to fix it, one sentence
    # True when the finding does not hold once records above the reader's clearance count.
    depends_on_hidden: bool = False


def label(component: str, record: Any) -> str:
    """``objective obj-x 'Title'``: how findings (and trace breaks) name a record."""
    title = getattr(record, "title", None) or getattr(record, "name", "")
    what = component_singular(component) if component in COMPONENTS else component
    return f"{what} {record.id} {title!r}"


def _finding(rule: str, component: str, record_id: str, message: str, fix: str) -> Finding:
    return Finding(RULES[rule][0], rule, component, record_id, message, fix)
