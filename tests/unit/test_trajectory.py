"""Planned paths of indicators and the ahead / on / behind verdict, worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from grandstrategy.delivery import trajectory as tj

START, DUE = dt.date(2026, 1, 1), dt.date(2028, 1, 1)  # 730 days


def test_plan_is_linear_between_baseline_and_target():
    plan = tj.knots(START, 300, DUE, 600)
    mid = START + dt.timedelta(days=365)
    assert tj.planned(plan, [START, mid, DUE]).tolist() == pytest.approx([300, 450, 600])
    before, after = dt.date(2025, 1, 1), dt.date(2030, 1, 1)
    assert tj.planned(plan, [before, after]).tolist() == [300, 600]


def test_a_milestone_bends_the_plan():
    mid = START + dt.timedelta(days=365)
    plan = tj.knots(START, 0, DUE, 100, [(mid, 20)])  # slow first year, fast second
    quarter = START + dt.timedelta(days=146)  # 146/365 of the way to the milestone
    assert tj.planned(plan, [mid])[0] == pytest.approx(20)
    assert tj.planned(plan, [quarter])[0] == pytest.approx(20 * 146 / 365)


def test_milestones_outside_the_plan_are_ignored():
    plan = tj.knots(START, 0, DUE, 100, [(dt.date(2030, 1, 1), 5)])
    assert plan == [(START, 0), (DUE, 100)]


@pytest.mark.parametrize(
    ("actual", "expected", "verdict"),
    [(460, 450, "on"), (470, 450, "ahead"), (430, 450, "behind"), (465, 450, "on")],
)
def test_position_along_a_rising_target(actual, expected, verdict):
    # tolerance: 5 % of |600 − 300| = 15
    assert tj.position(actual, expected, 300, 600) == verdict


def test_position_along_a_falling_target_reverses_the_direction():
    # gas share planned to fall from 40 % to 25 %; being lower than planned is ahead
    assert tj.position(30, 32, 40, 25) == "ahead"
    assert tj.position(35, 32, 40, 25) == "behind"


def test_objective_takes_its_worst_indicator():
    assert tj.worst(["ahead", "behind", "on"]) == "behind"
    assert tj.worst([None, "ahead"]) == "ahead"
    assert tj.worst([None]) is None
