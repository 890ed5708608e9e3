"""The resilience service names requirements, criteria and sectors in the reader's language,
but the strategy objective it writes from a gap stays in the strategy's own (English) words."""

import datetime as dt

from grandstrategy.core import i18n
from grandstrategy.resilience import service
from grandstrategy.resilience.schemas import GapObjectiveCreate
from grandstrategy.strategy import service as strategy
from tests.helpers import small_package
from tests.service.test_resilience import assess, small_matrix


def test_overview_and_indices_follow_the_readers_language(session, operator):
    small_matrix(session, operator)
    with i18n.language("fr"):
        energy = next(
            r for r in service.overview(session, user=operator) if r.requirement == "energy"
        )
        titles = {ix.sector: ix.title for ix in service.indices(session, user=operator)}
    assert energy.title == "Résilience des approvisionnements énergétiques"
    assert {c.criterion: c.title for c in energy.criteria}["stocks"] == "Stocks d'urgence"
    assert titles["transport"] == "Résilience des systèmes de transport"
    with i18n.language("en"):
        energy = next(
            r for r in service.overview(session, user=operator) if r.requirement == "energy"
        )
    assert energy.title == "Resilient energy supplies"


def test_gap_reason_in_dutch_objective_in_english(session, operator):
    strategy.import_package(session, user=operator, package=small_package())
    small_matrix(session, operator)
    assess(session, operator, "energy", "stocks", 2, 4, None)
    data = GapObjectiveCreate(
        requirement="energy",
        objective_id="energy-stocks",
        owner="defence",
        deadline=dt.date(2030, 12, 31),
        interests=["safety"],
        threats=["invasion"],
    )
    with i18n.language("nl"):
        ranked = {g.requirement: g for g in service.rank(session, user=operator)}
        made = service.objective_from_gap(session, user=operator, data=data)
    assert ranked["energy"].title == "Veerkrachtige energievoorziening"
    assert made["title"] == "Close the resilience gap in resilient energy supplies"
    assert made["indicators"][0]["name"] == "Mean maturity of resilient energy supplies"
