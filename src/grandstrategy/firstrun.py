"""First run and the illustrative examples: the library behind ``grandstrategy setup`` and
``grandstrategy example load``.

Loading the examples touches every capability in order (the strategy first, then resilience,
delivery and drafting on top of it, then horizon's classifier and documents), so it lives here,
beside ``models.py``, rather than in one capability or in the CLI: the CLI parses, calls one
function here and prints. The import contracts (pyproject.toml) let this module, and only it,
import the capabilities' ``example`` loaders.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from grandstrategy.core import db
from grandstrategy.core.authz import Principal
from grandstrategy.core.config import Settings
from grandstrategy.core.db import unit_of_work
from grandstrategy.core.i18n import _
from grandstrategy.core.models import User
from grandstrategy.core.users import add_user

if TYPE_CHECKING:
    from grandstrategy.delivery.example import ExampleReport
    from grandstrategy.strategy.service import ImportReport


@dataclass
class Progress:
    """How the caller hears about each step: ``say`` a line, ``busy`` while a long step runs."""

    say: Callable[[str], None] = lambda text: None
    busy: Callable[[str], AbstractContextManager[Any]] = lambda text: nullcontext()


def setup(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    example: bool = True,
    progress: Progress | None = None,
) -> None:
    """Migrate, create 'admin' (password said once), load the examples, train the classifier.

    Each step runs once: a second setup changes nothing that is already there.
    """
    tell = progress or Progress()
    db.upgrade(settings.database_url)
    settings.ensure_secret()
    with unit_of_work(factory) as s:
        operator = Principal.operator("setup")
        if s.execute(select(func.count()).select_from(User)).scalar_one() == 0:
            password = secrets.token_urlsafe(12)
            add_user(
                s,
                user=operator,
                username="admin",
                password=password,
                role="admin",
                clearance="SECRET",
                compartments=["NATO", "EU", "NATIONAL-ONLY"],
                display_name="Administrator",
            )
            tell.say(
                _(
                    "created user [bold]admin[/] with password [bold]{password}[/] "
                    "(shown once; change it with 'grandstrategy users set admin --password-stdin')"
                ).format(password=password)
            )
        if example:
            _capability_examples(s, operator, tell)
    _horizon_first_run(factory, example=example, tell=tell)
    from grandstrategy.horizon import service as horizon

    index = horizon.keyword_index_for(settings)
    if index is not None:  # build the keyword index now, not at the first search
        with unit_of_work(factory) as s:
            index.sync(s)


def _capability_examples(s: Session, operator: Principal, tell: Progress) -> None:
    from grandstrategy.delivery.example import load_example as load_delivery
    from grandstrategy.drafting.example import load_example as load_drafting
    from grandstrategy.resilience.example import load_example as load_resilience
    from grandstrategy.strategy import service as strategy

    if not strategy.list_strategies(s, user=operator):
        report = load_strategy_example(s, user=operator)
        tell.say(
            _("loaded the illustrative example (version {version})").format(version=report.version)
        )
    loaded = load_resilience(s, user=operator)
    if loaded is not None:
        tell.say(
            _(
                "loaded the resilience example ({assessments} assessments, "
                "{scenarios} scenarios, matrix {matrix})"
            ).format(
                assessments=loaded.assessments, scenarios=loaded.scenarios, matrix=loaded.matrix
            )
        )
    tracked = load_delivery(s, user=operator, editions=True)
    if tracked is not None:
        tell.say(
            _(
                "loaded the delivery example ({checkins} check-ins on "
                "{objectives} objectives, {deployments} deployments)"
            ).format(
                checkins=tracked.checkins,
                objectives=tracked.objectives,
                deployments=tracked.deployments,
            )
        )
    with tell.busy(_("loading the drafting example and its launch pack…")):
        drafted = load_drafting(s, user=operator)
    if drafted is not None:
        tell.say(
            _(
                "loaded the drafting example (cycle {cycle}: {rounds} "
                "rounds, {contributions} contributions decided, published)"
            ).format(
                cycle=drafted.cycle, rounds=drafted.rounds, contributions=drafted.contributions
            )
        )


def _horizon_first_run(factory: sessionmaker[Session], *, example: bool, tell: Progress) -> None:
    """Train the first threat classifier, then load the illustrative documents (once)."""
    from grandstrategy.horizon.example import ensure_model, load_example_documents

    operator = Principal.operator("setup")
    with tell.busy(_("training the threat classifier on the starter set (once)…")):
        trained = ensure_model(factory, user=operator)
    if trained is not None:
        tell.say(
            _(
                "trained threat classifier (model {model}; macro-F1 {f1} on the starter test split)"
            ).format(model=trained.model_id, f1=f"{trained.macro_f1:.2f}")
        )
    if example:
        with tell.busy(_("loading the illustrative documents…")):
            loaded = load_example_documents(factory, user=operator)
        if loaded is not None:
            tell.say(_("loaded {n} illustrative documents into horizon").format(n=loaded.ingested))


def load_strategy_example(session: Session, *, user: Principal) -> ImportReport:
    """Load (or refresh) the illustrative Belgian strategy; its import report."""
    from grandstrategy.strategy.example import load_example

    return load_example(session, user=user)


def load_examples(
    session: Session, *, user: Principal
) -> tuple[ImportReport, ExampleReport | None]:
    """``example load``: the strategy (refreshed), then delivery's check-ins (once; else None)."""
    from grandstrategy.delivery.example import load_example as load_delivery

    report = load_strategy_example(session, user=user)
    return report, load_delivery(session, user=user)


def strategy_example_path() -> str:
    """Where the example strategy package's YAML files are (checked to load first)."""
    from grandstrategy.strategy.example import example_package, example_path

    example_package()
    return str(example_path())
