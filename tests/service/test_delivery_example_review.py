"""The example's five-yearly review, as first-run setup leaves it: two frozen editions whose
review has something to say in every section (objectives added, dropped, met and missed, a
threat added and one re-rated, a budget line moved, resilience moved, the budget path)."""

from __future__ import annotations

import re

import pytest

from grandstrategy.core import i18n
from grandstrategy.delivery import service
from grandstrategy.delivery.example import load_example as load_delivery
from grandstrategy.resilience.example import load_example as load_resilience
from grandstrategy.strategy.example import load_example as load_strategy


def section(text: str, heading: str) -> str:
    """The body under a Markdown heading, up to the next heading of any level."""
    return re.split(r"\n#+ ", text.split(f"\n{heading}\n", 1)[1], maxsplit=1)[0]


@pytest.fixture
def review(session, operator) -> tuple[int, int]:
    """The setup order: the strategy, resilience, then delivery approving two editions."""
    load_strategy(session, user=operator)
    load_resilience(session, user=operator)
    report = load_delivery(session, user=operator, editions=True)
    assert report is not None and report.objectives == 15
    eds = service.editions(session, user=operator)
    assert [e.status for e in eds] == ["approved", "approved"]
    assert eds[0].created_at.date().isoformat() == "2026-03-03"  # as the Council decided it
    return eds[0].version, eds[1].version


def test_the_example_review_lists_objectives_added_dropped_met_and_missed(
    session, operator, review
):
    first, second = review
    out = service.five_year_review(session, user=operator, from_version=first, to_version=second)
    text = out.content.decode()
    objectives = section(text, "### Objectives")
    assert "(counter-drone): added" in objectives
    assert "(military-intelligence-growth): removed" in objectives
    assert "deadline moved: 31 December 2028 → 30 June 2029" in objectives
    threats = section(text, "### Threats and challenges")
    assert "(drone-incursions): added" in threats
    assert "re-rated: impact 4 → 5" in threats
    capabilities = section(text, "### Capabilities")
    assert "budget moved: 2030: 19,500,000,000 EUR → 21,000,000,000 EUR" in capabilities
    met = section(text, "### Met")
    assert "Update the Strategic Vision for Defence" in met and "done on 26 November 2026" in met
    assert "Military programming law adopted by Parliament: 1 (target 1)" in met
    missed = section(text, "### Missed (deadline passed, not done)")
    assert "Identify Belgium's critical entities" in missed and "17 July 2026" in missed
    assert "trajectory behind" in missed
    dropped = section(text, "### Dropped")
    assert "Expand military intelligence for collective defence and cyber" in dropped
    for body in (met, missed, dropped):
        assert "None." not in body
    moved = section(text, "## How resilience assessments moved")
    assert re.search(r"\| Resilient energy supplies \| [\d.]+ \| [\d.]+ \| \+0\.\d \|", moved)
    budget = section(text, "## The defence budget against the plan")
    assert "| Defence expenditure, NATO definition | 1.29 | 2 |" in budget
    log = section(text, "## Change log between the editions, by component")
    assert log is not None and "| counter-drone | added | — |" in text


def test_the_example_review_in_french(session, operator, review):
    first, second = review
    with i18n.language("fr"):
        out = service.five_year_review(session, user=operator, from_version=first,
                                       to_version=second)  # fmt: skip
    text = out.content.decode().replace("\u202f", " ").replace("\u00a0", " ")
    assert "budget modifié : 2030 : 19 500 000 000 EUR → 21 000 000 000 EUR" in text
    assert "terminé le 26 novembre 2026" in text
