"""Resilience charts: what a reader sees in them, and the same data giving the same bytes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from grandstrategy.resilience.catalogue import load_catalogue
from grandstrategy.resilience.charts import (
    cascade_svg,
    gaps_svg,
    maturity_heatmap_svg,
    network_svg,
    trend_svg,
)
from grandstrategy.resilience.schemas import (
    CriterionState,
    RankedGap,
    RequirementState,
    ScenarioRun,
    SectorOutcome,
)

SCALE = [(lv.level, lv.name) for lv in load_catalogue().maturity_scale]


def criterion(cid: str, level: int | None, target: int | None = None) -> CriterionState:
    return CriterionState(
        criterion=cid,
        title=f"Criterion {cid}",
        level=level,
        target=target,
        assessed_on=dt.date(2025, 3, 1) if level is not None else None,
        assessor="ana" if level is not None else None,
        evidence="",
    )


def states() -> list[RequirementState]:
    return [
        RequirementState(
            requirement="energy",
            title="Resilient energy supplies",
            criteria=[criterion("stocks", 2, 4), criterion("protection", 3, 4)],
            current=2.5,
            target=4.0,
            gap=1.5,
            assessed=2,
            trend=[(dt.date(2024, 1, 10), 2.0), (dt.date(2025, 3, 1), 2.5)],
        ),
        RequirementState(
            requirement="transport",
            title="Resilient transport systems",
            criteria=[criterion("critical-nodes", None), criterion("alternatives", 1, 3)],
            current=1.0,
            target=3.0,
            gap=2.0,
            assessed=1,
            trend=[(dt.date(2025, 3, 1), 1.0)],
        ),
    ]


def run() -> ScenarioRun:
    steps = 6
    traj = [[0.4 * 0.5**t, 0.1 * 0.7**t] for t in range(steps)]
    return ScenarioRun(
        scenario="grid-cyber",
        title="Cyber attack on the grid",
        matrix="demo",
        sectors=["energy", "transport"],
        steps=steps,
        shock_steps=2,
        outcomes=[
            SectorOutcome(
                sector=s,
                shock=0.4,
                static=0.4,
                peak=0.4,
                cumulative=1.0,
                recovery_rate=0.1,
                recovery_days=43.7,
            )
            for s in ("energy", "transport")
        ],
        trajectory=traj,
        total_cumulative=2.0,
        marking="UNCLASSIFIED",
    )


def gap(rank: int, req: str, title: str, score: float) -> RankedGap:
    return RankedGap(
        rank=rank,
        requirement=req,
        title=title,
        current=1.0,
        target=3.0,
        gap=2.0,
        shock=0.4,
        system_inoperability=score,
        spillover=score - 0.4,
        most_affected=[(req, 0.4)],
        score=score,
        reason="because",
        objectives=[],
    )


def accessible_name(svg: str) -> str:
    m = re.match(r'<svg role="img" aria-label="([^"]+)"', svg)
    assert m, svg[:200]
    assert f"<title>{m.group(1)}</title>" in svg
    return m.group(1)


def test_heat_map_shows_each_requirement_current_over_target_and_the_scale() -> None:
    svg = maturity_heatmap_svg(states(), SCALE)
    assert "Heat map" in accessible_name(svg)
    assert "Resilient energy supplies" in svg and "Resilient transport systems" in svg
    assert ">2/4<" in svg and ">3/4<" in svg and ">1/3<" in svg
    for name in ("0 Absent", "3 Established", "5 Adaptive"):
        assert name in svg


def test_unassessed_cells_are_hatched_grey_and_say_so() -> None:
    svg = maturity_heatmap_svg(states(), SCALE)
    assert 'id="cell-transport-critical-nodes-unassessed"' in svg
    assert 'id="cell-energy-stocks-assessed"' in svg
    assert "not assessed" in svg and "<pattern" in svg  # the hatch
    unassessed = svg.split('id="cell-transport-critical-nodes-unassessed"')[1][:400]
    assessed = svg.split('id="cell-energy-stocks-assessed"')[1][:400]
    assert "fill: url(#" in unassessed and "fill: url(#" not in assessed


def test_trend_has_a_line_per_assessed_requirement_and_nothing_when_never_assessed() -> None:
    svg = trend_svg(states())
    assert "Trend" in accessible_name(svg)
    assert 'id="trend-energy"' in svg and 'id="trend-transport"' in svg
    empty = [s.model_copy(update={"trend": []}) for s in states()]
    assert trend_svg(empty) == ""


def test_network_names_every_sector_and_draws_only_strong_dependencies() -> None:
    values = [[0.0, 0.3, 0.01], [0.2, 0.0, 0.0], [0.0, 0.5, 0.0]]
    svg = network_svg(
        ["energy", "transport", "health"],
        ["Energy supplies", "Transport systems", "Health crises"],
        values,
        [1.3, 1.8, 1.0],
        threshold=0.05,
    )
    assert "Dependency network" in accessible_name(svg)
    for title in ("Energy supplies", "Transport systems", "Health crises"):
        assert title in svg
    assert 'id="edge-energy-transport"' in svg and ">0.30<" in svg
    assert 'id="edge-health-transport"' in svg and ">0.50<" in svg
    assert 'id="edge-energy-health"' not in svg  # 0.01 is below the threshold


def test_cascade_has_one_line_per_sector_and_the_shaded_shock_window() -> None:
    svg = cascade_svg(run(), {"energy": "Energy supplies", "transport": "Transport systems"})
    assert accessible_name(svg) == "Cascade over time: Cyber attack on the grid"
    assert 'id="cascade-energy"' in svg and 'id="cascade-transport"' in svg
    assert "Energy supplies" in svg and "shock applied" in svg and "day" in svg


def test_ranked_gaps_put_the_first_rank_on_top_with_its_score() -> None:
    gaps = [gap(2, "transport", "Transport systems", 0.5), gap(1, "energy", "Energy", 0.9)]
    svg = gaps_svg(gaps)
    assert "Ranked" in accessible_name(svg)
    assert "1. Energy" in svg and "2. Transport systems" in svg and "0.900" in svg
    assert gaps_svg([]) == ""


@pytest.mark.parametrize(
    "draw",
    [
        lambda: maturity_heatmap_svg(states(), SCALE),
        lambda: trend_svg(states()),
        lambda: network_svg(["a", "b"], ["A", "B"], [[0, 0.2], [0.1, 0]], [1.2, 1.1]),
        lambda: cascade_svg(run()),
        lambda: gaps_svg([gap(1, "energy", "Energy", 0.9)]),
    ],
)
def test_same_data_gives_identical_bytes(draw) -> None:  # type: ignore[no-untyped-def]
    first = draw()
    assert first.startswith("<svg") and "<?xml" not in first
    assert first == draw()
