"""The strategy service: import, edit, history, diff, editions, and what each user sees."""

import pytest

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal
from grandstrategy.core.errors import Conflict, Forbidden, Invalid, NotFound
from grandstrategy.strategy import service, versions
from tests.helpers import NATO_TITLE, SECRET_TITLE, make_user, small_package


@pytest.fixture
def strat(session, operator):
    report = service.import_package(session, user=operator, package=small_package())
    assert report.created == 16 and report.version == 1
    return report


def test_reimporting_the_same_package_changes_nothing(session, operator, strat):
    again = service.import_package(session, user=operator, package=small_package())
    assert again.version == 1 and again.created == again.updated == again.deleted == 0


def test_reader_never_sees_records_above_clearance(session, strat):
    reader = make_user(session, "reader1", "reader")
    titles = [o.title for o in service.list_records(session, user=reader, component="objectives")]
    assert SECRET_TITLE not in titles and "Credible deterrence" in titles
    with pytest.raises(NotFound):
        service.get_record(session, user=reader, component="objectives", rid="zebra-cell")
    pkg = service.load_package(session, user=reader)
    assert SECRET_TITLE not in pkg.model_dump_json()
    assert NATO_TITLE not in pkg.model_dump_json()


def test_compartment_is_needed_on_top_of_clearance(session, strat):
    no_nato = make_user(session, "c1", "council-member", "SECRET")
    nato = make_user(session, "c2", "council-member", "RESTRICTED", ["NATO"])
    ids = lambda u: {t.id for t in service.list_records(session, user=u, component="threats")}  # noqa: E731
    assert "nato-tripwire" not in ids(no_nato)
    assert "nato-tripwire" in ids(nato)


def test_confidential_read_is_audited(session, strat):
    council = make_user(session, "c3", "council-member", "SECRET")
    service.get_record(session, user=council, component="objectives", rid="zebra-cell")
    reads = audit.list_events(session, user=Principal.operator(), action="read", actor="c3")
    assert reads and reads[0].object_id == "zebra-cell"


def test_edit_is_versioned_diffed_and_audited(session, strat):
    drafter = make_user(session, "d1", "drafter", "RESTRICTED")
    rec = service.update_record(
        session,
        user=drafter,
        component="objectives",
        rid="deter",
        changes={"deadline": "2034-12-31"},
    )
    assert str(rec.deadline) == "2034-12-31"
    s = service.current(session, drafter)
    assert s.version == 2
    diffs = versions.diff(session, user=drafter, strategy=s, v1=1, v2=2)
    assert [(d.key, [c.field for c in d.changes]) for d in diffs] == [("deter", ["deadline"])]
    assert diffs[0].changes[0].before == "2035-06-30"
    events = audit.list_events(session, user=Principal.operator(), action="strategy.update")
    assert events[0].object_id == "deter" and events[0].actor == "d1"


def test_reader_cannot_edit_and_bad_edits_lose_nothing(session, strat):
    reader = make_user(session, "r2", "reader")
    with pytest.raises(Forbidden):
        service.update_record(
            session, user=reader, component="objectives", rid="deter", changes={"title": "x"}
        )
    drafter = make_user(session, "d2", "drafter")
    with pytest.raises(Invalid) as exc:
        service.update_record(
            session,
            user=drafter,
            component="objectives",
            rid="deter",
            changes={"horizon": 7, "deadline": "not a date"},
        )
    assert "horizon" in str(exc.value) and "deadline" in str(exc.value)
    with pytest.raises(Invalid, match="owner: no actor"):
        service.update_record(
            session, user=drafter, component="objectives", rid="deter", changes={"owner": "nobody"}
        )
    assert (
        service.get_record(session, user=drafter, component="objectives", rid="deter").title
        == "Credible deterrence"
    )


def test_cannot_link_to_a_record_one_cannot_see(session, strat):
    drafter = make_user(session, "d3", "drafter")
    with pytest.raises(Invalid, match="no objective"):
        service.update_record(
            session,
            user=drafter,
            component="capabilities",
            rid="analysts",
            changes={"objectives": ["zebra-cell"]},
        )


def test_cannot_mark_above_own_clearance(session, strat):
    drafter = make_user(session, "d4", "drafter", "RESTRICTED")
    with pytest.raises(Invalid, match="above your own clearance"):
        service.update_record(
            session, user=drafter, component="roles", rid="ally", changes={"marking": "SECRET"}
        )


def test_create_and_delete_with_links_guarded(session, strat):
    drafter = make_user(session, "d5", "drafter")
    service.create_record(
        session,
        user=drafter,
        component="interests",
        data={"id": "prosperity", "title": "Prosperity", "statement": "Jobs."},
    )
    with pytest.raises(Conflict):
        service.create_record(
            session,
            user=drafter,
            component="interests",
            data={"id": "prosperity", "title": "Again", "statement": "x"},
        )
    with pytest.raises(Conflict, match="still linked"):
        service.delete_record(session, user=drafter, component="interests", rid="safety")
    service.delete_record(session, user=drafter, component="interests", rid="prosperity")
    with pytest.raises(NotFound):
        service.get_record(session, user=drafter, component="interests", rid="prosperity")
    hist = versions.history(
        session,
        user=drafter,
        strategy=service.current(session, drafter),
        component="interests",
        key="prosperity",
    )
    assert [h.op for h in hist] == ["delete", "create"]


def test_freeze_approve_then_publish_then_edit_reopens(session, strat):
    pen = make_user(session, "p1", "pen-holder", "SECRET", ["NATO"])
    s = service.current(session, pen)
    with pytest.raises(Invalid, match="approved"):
        versions.freeze(session, user=pen, strategy=s, status="published")
    versions.freeze(session, user=pen, strategy=s, status="approved", note="council")
    versions.freeze(session, user=pen, strategy=s, status="published")
    assert s.status == "published"
    assert [e.status for e in versions.editions(session, user=pen, strategy=s)] == [
        "approved",
        "published",
    ]
    service.update_record(
        session, user=pen, component="roles", rid="ally", changes={"description": "Does more."}
    )
    assert s.status == "draft"
    drafter = make_user(session, "d6", "drafter")
    with pytest.raises(Forbidden):
        versions.freeze(session, user=drafter, strategy=s, status="approved")


def test_lint_hides_findings_on_invisible_records(session, operator):
    pkg = small_package()
    pkg.objectives[2].indicators = []  # the CONFIDENTIAL objective: a warning only insiders see
    service.import_package(session, user=operator, package=pkg)
    reader = make_user(session, "r3", "reader")
    assert all(f.record_id != "zebra-cell" for f in service.lint_strategy(session, user=reader))
    rules = {(f.rule, f.record_id) for f in service.lint_strategy(session, user=operator)}
    assert ("objective-no-indicator", "zebra-cell") in rules


def test_public_edition_counts_what_it_leaves_out(session, strat):
    pen = make_user(session, "p2", "pen-holder", "SECRET", ["NATO"])
    pkg = service.load_package(session, user=pen, max_marking="UNCLASSIFIED")
    assert pkg.withheld == 2 and pkg.max_marking == "UNCLASSIFIED"
    assert SECRET_TITLE not in pkg.model_dump_json()


def test_links_to_hidden_records_are_neither_shown_nor_lost(session, strat, operator):
    drafter = make_user(session, "d7", "drafter", "SECRET")  # no NATO compartment
    seen = service.get_record(session, user=drafter, component="objectives", rid="deter")
    assert "nato-tripwire" not in seen.threats
    service.update_record(
        session,
        user=drafter,
        component="objectives",
        rid="deter",
        changes={"title": "Deterrence that convinces"},
    )
    full = service.get_record(session, user=operator, component="objectives", rid="deter")
    assert "nato-tripwire" in full.threats and full.title == "Deterrence that convinces"
    hist = versions.history(
        session,
        user=drafter,
        strategy=service.current(session, drafter),
        component="objectives",
        key="deter",
    )
    assert "nato-tripwire" not in hist[0].model_dump_json()
    assert "nato-tripwire" not in hist[-1].model_dump_json()
