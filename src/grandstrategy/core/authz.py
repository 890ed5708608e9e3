"""One gate, one filter.

:func:`allowed` decides whether a principal may perform an action (on a record, if given);
:func:`restrict` adds the marking filter to any SELECT over a marked table, so every list,
count, search, chart and export is built only from what the user may see. A record that
exists but is not visible is reported as :class:`NotFound`, never as forbidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, ClassVar, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import ColumnElement, Select, and_, func, literal
from sqlalchemy.orm import Session

from grandstrategy.core import i18n
from grandstrategy.core.errors import Forbidden, Invalid, NotFound
from grandstrategy.core.i18n import _
from grandstrategy.core.labelled import Labelled
from grandstrategy.core.markings import Marking, readable, scheme
from grandstrategy.core.models import Marked, User


class RoleDef(Labelled):
    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str
    actions: tuple[str, ...]
    LABELLED: ClassVar[str] = "description"


class Registry(BaseModel):
    """Actions and roles, loaded from ``roles.yaml`` and checked against each other."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    actions: dict[str, str]
    roles: dict[str, RoleDef]
    # action -> {language: what it allows}; the English is the text under ``actions``.
    action_labels: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("actions")
    @classmethod
    def _action_names(cls, v: dict[str, str]) -> dict[str, str]:
        for name in v:
            cap, _sep, verb = name.partition(".")
            if not cap or not verb:
                raise ValueError(f"action {name!r} must be 'capability.verb'")
        return v

    @field_validator("action_labels")
    @classmethod
    def _action_labels(cls, v: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for labels in v.values():
            i18n.check_labels(labels)
        return v

    def action_label(self, action: str, lang: str | None = None) -> str:
        """What ``action`` allows, in ``lang`` (default: the reader's language)."""
        return i18n.pick(self.actions[action], self.action_labels.get(action, {}), lang)

    def model_post_init(self, _ctx: Any) -> None:
        for action in self.action_labels:
            if action not in self.actions:
                raise ValueError(f"action_labels names unknown action {action!r}")
        for role, rdef in self.roles.items():
            for a in rdef.actions:
                if a != "*" and a not in self.actions:
                    raise ValueError(f"role {role!r} names unknown action {a!r}")

    def role_actions(self, role: str) -> frozenset[str]:
        rdef = self.roles.get(role)
        if rdef is None:
            return frozenset()
        if "*" in rdef.actions:
            return frozenset(self.actions)
        return frozenset(rdef.actions)

    def check_role(self, role: str) -> str:
        if role not in self.roles:
            raise Invalid(
                _("unknown role {role!r}; known roles: {roles}").format(
                    role=role, roles=", ".join(self.roles)
                )
            )
        return role


@cache
def registry() -> Registry:
    text = resources.files("grandstrategy.core").joinpath("roles.yaml").read_text("utf-8")
    return Registry.model_validate(yaml.safe_load(text))


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user account, or the local operator running the CLI."""

    username: str
    role: str
    clearance: int
    compartments: frozenset[str] = field(default_factory=frozenset)
    active: bool = True
    user_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(
            username=user.username,
            role=user.role,
            clearance=user.clearance,
            compartments=user.compartment_set,
            active=user.active,
            user_id=user.id,
        )

    @classmethod
    def operator(cls, name: str = "cli") -> Principal:
        """The local operator: whoever holds the database file holds everything in it."""
        return cls(
            username=name,
            role="admin",
            clearance=scheme().top,
            compartments=frozenset({"*"}),
        )

    @property
    def actions(self) -> frozenset[str]:
        return registry().role_actions(self.role) if self.active else frozenset()

    def can_read(self, marking: Marking) -> bool:
        if "*" in self.compartments:
            return marking.level <= self.clearance
        return readable(marking, self.clearance, self.compartments)

    @property
    def clearance_name(self) -> str:
        return scheme().level_name(self.clearance)


def allowed(user: Principal, action: str, record: Marked | Marking | None = None) -> bool:
    """The gate: the role grants the action and, for a record, its marking is readable."""
    if not user.active or action not in user.actions:
        return False
    if record is None:
        return True
    marking = record if isinstance(record, Marking) else record.marking
    return user.can_read(marking)


def require(user: Principal, action: str, record: Marked | Marking | None = None) -> None:
    """Raise Forbidden when the role lacks the action, NotFound when the record is hidden."""
    if not user.active or action not in user.actions:
        raise Forbidden(
            _("your role ({role}) does not allow {action}").format(role=user.role, action=action)
        )
    if record is not None and not allowed(user, action, record):
        raise NotFound(_("no such record"))


def visible_clause(user: Principal, level_col: Any, comps_col: Any) -> ColumnElement[bool]:
    """SQL condition: level within clearance and every compartment held.

    Compartments are stored as ``|A|B|``; replacing each held ``|C|`` by ``|`` leaves ``|``
    exactly when the record's compartments are a subset of the user's.
    """
    level_ok: ColumnElement[bool] = level_col <= user.clearance
    if "*" in user.compartments:
        return level_ok
    stripped: Any = comps_col
    for comp in sorted(user.compartments):
        stripped = func.replace(stripped, f"|{comp}|", "|")
    return and_(level_ok, stripped == literal("|"))


M = TypeVar("M", bound=Marked)
S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def restrict(query: S, user: Principal, model: type[Marked] | None = None) -> S:
    """Filter a SELECT to the rows of ``model`` the user may see.

    ``model`` defaults to the first entity of the query. A user with no read action at all
    still gets a filtered query; the caller checks the action with :func:`require`.
    """
    if model is None:
        entity = query.column_descriptions[0]["entity"]
        if entity is None or not issubclass(entity, Marked):
            raise TypeError("restrict() needs a query over a marked table, or model=")
        model = entity
    return query.where(visible_clause(user, model.marking_level, model.marking_compartments))


def most_specific_first(query: S, model: type[Marked]) -> S:
    """Order records that share a name so the most highly marked comes first.

    Names that are unique per marking (polyinstantiation: resilience matrices and scenarios,
    deployments) may be held by several records; a user cleared for several sees the one
    marked highest, the others the one they may read.
    """
    return query.order_by(
        model.marking_level.desc(),
        func.length(model.marking_compartments).desc(),
        model.id.desc(),  # type: ignore[attr-defined]
    )


def get_visible(session: Session, user: Principal, model: type[M], pk: Any, what: str) -> M:
    """Fetch one record by primary key, or NotFound when absent or not visible."""
    obj = session.get(model, pk)
    if obj is None or not user.can_read(obj.marking):
        raise NotFound(_("{what} {id} not found").format(what=what, id=pk))
    return obj
