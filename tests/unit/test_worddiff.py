"""core.worddiff: runs of words, numbers and dates as one word, long stretches cut."""

from __future__ import annotations

import datetime as dt

from grandstrategy.core import worddiff


def test_dates_and_numbers_change_as_one_word():
    runs = worddiff.field_runs(dt.date(2028, 12, 31), dt.date(2029, 6, 30))
    assert worddiff.render_plain(runs) == "[-2028-12-31-]{+2029-06-30+}"
    runs = worddiff.field_runs("costs 1.5 bn", "costs 2.5 bn")
    assert worddiff.render_plain(runs) == "costs [-1.5-]{+2.5+} bn"


def test_compact_keeps_a_few_words_around_each_change():
    long = "one two three four five six seven eight nine ten eleven twelve"
    runs = worddiff.field_runs(long, long.replace("six", "SIX"))
    assert worddiff.render_plain(worddiff.compact(runs, context=2)) == (
        "…four five [-six-]{+SIX+} seven eight…"
    )
    short = worddiff.field_runs("a b", "a c")
    assert worddiff.compact(short) == short


def test_lists_and_absent_values_read_as_text():
    assert worddiff.render_plain(worddiff.field_runs(None, ["x", "y"])) == "{+x\ny+}"
    assert worddiff.render_plain(worddiff.field_runs(["x", "y"], ["x"])) == "x[-\ny-]"
    three = worddiff.field_runs(["invasion", "pandemic", "cyber"], ["invasion", "cyber"])
    assert worddiff.render_plain(three) == "invasion\n[-pandemic\n-]cyber"  # an item whole
