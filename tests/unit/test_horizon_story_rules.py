"""The story rules on hand-made vectors: near-duplicates, the time window, merges, splits."""

import datetime as dt

import numpy as np

from grandstrategy.horizon import stories as S

DAY = dt.date(2026, 3, 1)


def unit(*xs: float) -> np.ndarray:
    v = np.zeros(512, dtype=np.float32)
    v[: len(xs)] = xs
    return v / np.linalg.norm(v)


def item(i: int, vec: np.ndarray, day: int = 0, text: str | None = None) -> S.Item:
    return S.Item(i, DAY + dt.timedelta(days=day), vec, S.signature(text or f"document {i} alone"))


def test_a_copy_is_a_near_duplicate_whatever_its_vector():
    text = "The cable between Helsinki and Tallinn was cut by an anchor on Monday morning."
    a = item(1, unit(1, 0), text=text)
    b = item(2, unit(0, 1), text=text + " Police said so.")
    assert S.jaccard(a.signature, b.signature) >= S.NEAR_DUPLICATE
    assert S.decide(b, {1: [a]}) == S.Decision(1, "near-duplicate", 1.0, [])


def test_a_similar_report_joins_but_not_outside_the_window():
    a = item(1, unit(1, 0.1))
    assert S.decide(item(2, unit(1, 0.2), day=2), {1: [a]}).story == 1
    assert S.decide(item(3, unit(1, 0.2), day=S.WINDOW_DAYS + 1), {1: [a]}).story is None
    assert S.decide(item(4, unit(0, 1), day=1), {1: [a]}).story is None


def test_a_report_close_to_two_stories_merges_them():
    a, b = item(1, unit(1, 0.3)), item(2, unit(1, -0.3))
    d = S.decide(item(3, unit(1, 0)), {10: [a], 20: [b]})
    assert d.story == 10 and d.merge == [20]


def test_a_story_that_chained_two_events_splits_into_them():
    members = [
        item(1, unit(1, 0)),
        item(2, unit(1, 0.05)),
        item(3, unit(0, 1)),
        item(4, unit(0.05, 1)),
    ]
    assert S.split_groups(members) == [[0, 1], [2, 3]]
    assert S.split_groups(members[:2]) == [[0, 1]]


def test_bcubed_of_a_perfect_and_a_lumped_clustering():
    truth = {1: "a", 2: "a", 3: "b", 4: "b"}
    assert S.bcubed({1: 1, 2: 1, 3: 3, 4: 3}, truth) == (1.0, 1.0, 1.0)
    p, r, _f = S.bcubed({1: 0, 2: 0, 3: 0, 4: 0}, truth)
    assert (p, r) == (0.5, 1.0)
