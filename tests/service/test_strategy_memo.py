"""Lint, trace and the package are kept per strategy version and reader's view (strategy/memo.py):
what a reader gets from the cache is always what a fresh computation would give them."""

import pytest

from grandstrategy.core import i18n
from grandstrategy.strategy import memo, service
from tests.helpers import NATO_TITLE, SECRET_TITLE, make_user, small_package


@pytest.fixture
def strat(session, operator):
    memo.clear()
    return service.import_package(session, user=operator, package=small_package())


def _fresh(fn):
    """``fn()`` computed without the cache (and leaving it as it was)."""
    saved = dict(memo._entries)
    memo._entries.clear()
    try:
        return fn()
    finally:
        memo._entries.clear()
        memo._entries.update(saved)


def _rules(findings):
    return sorted((f.rule, f.component, f.record_id, f.message) for f in findings)


def test_repeated_reads_come_from_the_cache_and_equal_a_fresh_computation(session, strat):
    drafter = make_user(session, "m1", "drafter", "SECRET", ["NATO"])
    first = service.lint_strategy(session, user=drafter)
    before = memo.stats()["hits"]
    again = service.lint_strategy(session, user=drafter)
    assert memo.stats()["hits"] > before
    assert (
        _rules(again)
        == _rules(first)
        == _rules(_fresh(lambda: service.lint_strategy(session, user=drafter)))
    )
    assert service.load_package(session, user=drafter) == _fresh(
        lambda: service.load_package(session, user=drafter)
    )
    assert service.trace_strategy(session, user=drafter) == _fresh(
        lambda: service.trace_strategy(session, user=drafter)
    )


def test_an_edit_shows_at_once_in_lint_trace_and_package(session, strat):
    drafter = make_user(session, "m2", "drafter", "SECRET", ["NATO"])
    pkg = service.load_package(session, user=drafter)
    rated = next(t for t in pkg.threats if t.likelihood is not None)
    assert not any(
        f.rule == "threat-unrated" and f.record_id == rated.id
        for f in service.lint_strategy(session, user=drafter)
    )
    service.trace_strategy(session, user=drafter)
    service.update_record(
        session, user=drafter, component="threats", rid=rated.id, changes={"likelihood": None}
    )
    after = service.lint_strategy(session, user=drafter)
    assert any(f.rule == "threat-unrated" and f.record_id == rated.id for f in after)
    assert _rules(after) == _rules(_fresh(lambda: service.lint_strategy(session, user=drafter)))
    again = service.load_package(session, user=drafter)
    assert next(t for t in again.threats if t.id == rated.id).likelihood is None
    assert service.trace_strategy(session, user=drafter) == _fresh(
        lambda: service.trace_strategy(session, user=drafter)
    )


def test_a_reader_never_gets_what_a_higher_reader_computed(session, strat):
    high = make_user(session, "m3", "council-member", "SECRET", ["NATO"])
    low = make_user(session, "m4", "reader")
    assert SECRET_TITLE in service.load_package(session, user=high).model_dump_json()
    service.lint_strategy(session, user=high)
    service.trace_strategy(session, user=high)
    seen = service.load_package(session, user=low).model_dump_json()
    assert SECRET_TITLE not in seen and NATO_TITLE not in seen
    assert _rules(service.lint_strategy(session, user=low)) == _rules(
        _fresh(lambda: service.lint_strategy(session, user=low))
    )
    trace = service.trace_strategy(session, user=low)
    assert SECRET_TITLE not in str(trace) and NATO_TITLE not in str(trace)


def test_a_caller_changing_its_package_does_not_change_the_next_readers(session, strat):
    reader = make_user(session, "m5", "reader")
    mine = service.load_package(session, user=reader)
    mine.threats[0].title = "changed by one caller"
    mine.threats.clear()
    theirs = service.load_package(session, user=reader)
    assert theirs.threats and theirs.threats[0].title != "changed by one caller"


def test_messages_follow_the_readers_language(session, strat):
    reader = make_user(session, "m6", "reader")
    english = _rules(service.lint_strategy(session, user=reader))
    with i18n.language("fr"):
        french = _rules(service.lint_strategy(session, user=reader))
        assert french == _rules(_fresh(lambda: service.lint_strategy(session, user=reader)))
    assert [r[:3] for r in english] == [r[:3] for r in french]
    assert english != french


def test_a_rolled_back_edit_leaves_nothing_behind(session, strat):
    """A version number reached by an edit that rolled back, then by another edit: the second
    edit's findings, not the first's."""
    drafter = make_user(session, "m7", "drafter", "SECRET", ["NATO"])
    pkg = service.load_package(session, user=drafter)
    first, second = [t for t in pkg.threats if t.likelihood is not None][:2]
    session.commit()
    service.update_record(
        session, user=drafter, component="threats", rid=first.id, changes={"likelihood": None}
    )
    assert any(f.record_id == first.id for f in service.lint_strategy(session, user=drafter))
    session.rollback()
    service.update_record(
        session, user=drafter, component="threats", rid=second.id, changes={"likelihood": None}
    )
    unrated = {
        f.record_id
        for f in service.lint_strategy(session, user=drafter)
        if f.rule == "threat-unrated"
    }
    assert second.id in unrated and first.id not in unrated


def test_each_component_list_is_what_reading_each_record_gives(session, strat):
    for user in (
        make_user(session, "m8", "council-member", "SECRET", ["NATO"]),
        make_user(session, "m9", "reader"),
    ):
        for component in ("actors", "interests", "threats", "roles", "objectives", "capabilities"):
            listed = service.list_records(session, user=user, component=component)
            assert listed, component
            for rec in listed:
                got = service.get_record(session, user=user, component=component, rid=rec.id)
                assert got == rec


def test_readers_arriving_together_compute_once():
    """Fifty readers after an edit: one computes, the others wait for its result."""
    import threading
    import time

    memo.clear()
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    got: list[int] = []
    threads = [
        threading.Thread(target=lambda: got.append(memo.cached(("k",), slow))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [42] * 8 and len(calls) == 1
    assert memo.stats()["misses"] == 1 and memo.stats()["hits"] == 7


def test_a_failed_computation_is_not_kept_and_the_next_reader_tries_again():
    memo.clear()

    def broken() -> int:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        memo.cached(("k2",), broken)
    assert memo.cached(("k2",), lambda: 7) == 7
