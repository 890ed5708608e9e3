"""Departmental strategies through the service: who may derive, the national strategy stays
current, objectives serve national ones, lint and trace of the cascade, and what a
lower-cleared reader never learns."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grandstrategy.core.authz import Principal
from grandstrategy.core.errors import Conflict, Forbidden, Invalid, NotFound
from grandstrategy.core.memberships import set_user_actors
from grandstrategy.core.models import AuditEvent
from grandstrategy.strategy import service
from tests.helpers import SECRET_TITLE, make_user, small_package


@pytest.fixture
def loaded(session, operator):
    service.import_package(session, user=operator, package=small_package())


def member(session, name, role, actors, clearance="UNCLASSIFIED", compartments=None) -> Principal:
    user = make_user(session, name, role, clearance, compartments)
    set_user_actors(session, actor=Principal.operator("t"), username=name, actors=actors)
    return user


def objective(rid="brigade", serves="deter", **kw):
    return {"id": rid, "title": f"Objective {rid}", "horizon": 5, "serves": serves, **kw}


def test_a_member_derives_and_the_national_strategy_stays_current(session, loaded):
    dora = member(session, "dora", "contributor", ["defence"])
    out = service.derive(session, user=dora, actor="defence")
    assert (out.id, out.kind, out.actor, out.national) == (
        "defence-testland-nss",
        "departmental",
        "defence",
        "testland-nss",
    )
    assert out.title == "Ministry of Defence: departmental strategy"
    assert service.current(session, dora).key == "testland-nss"
    assert service.get_strategy(session, user=dora).meta.id == "testland-nss"
    # the derived strategy is a strategy of its own, addressable by its id
    assert service.current(session, dora, "defence-testland-nss").kind == "departmental"
    ev = session.execute(
        select(AuditEvent).where(AuditEvent.action == "strategy.derive")
    ).scalar_one()
    assert (ev.actor, ev.object_id) == ("dora", "defence-testland-nss")


def test_a_non_member_may_not_derive_but_the_pen_holder_and_secretariat_may(session, loaded):
    ivan = member(session, "ivan", "contributor", ["intel"])
    with pytest.raises(Forbidden, match="only members of defence"):
        service.derive(session, user=ivan, actor="defence")
    reader = member(session, "rita", "reader", ["defence"])  # a member who may not write
    with pytest.raises(Forbidden):
        service.derive(session, user=reader, actor="defence")
    pen = make_user(session, "pen", "pen-holder")
    service.derive(session, user=pen, actor="defence")
    analyst = make_user(session, "ana", "analyst")
    out = service.derive(session, user=analyst, actor="intel", kind="annual-statement", year=2027)
    assert (out.id, out.period.start.isoformat(), out.period.end.isoformat()) == (
        "intel-statement-2027",
        "2027-01-01",
        "2027-12-31",
    )


def test_derive_refuses_bad_input_with_the_field_named(session, loaded, operator):
    with pytest.raises(Invalid, match="kind 'weekly'"):
        service.derive(session, user=operator, actor="defence", kind="weekly")
    with pytest.raises(NotFound, match="actor 'navy'"):
        service.derive(session, user=operator, actor="navy")
    with pytest.raises(Invalid, match="year 2050"):
        service.derive(session, user=operator, actor="defence", kind="annual-statement", year=2050)
    service.derive(session, user=operator, actor="defence")
    with pytest.raises(Conflict, match="defence already has one"):
        service.derive(session, user=operator, actor="defence")


def test_objectives_serve_national_objectives(session, loaded):
    dora = member(session, "dora", "contributor", ["defence"])
    key = service.derive(session, user=dora, actor="defence").id
    rec = service.add_objective(session, user=dora, key=key, data=objective())
    assert (rec.serves, rec.owner) == ("deter", "defence")
    with pytest.raises(Invalid, match="serves: no national objective with id 'nothing'"):
        service.add_objective(session, user=dora, key=key, data=objective("x", "nothing"))
    with pytest.raises(Invalid, match="serves: name the national objective"):
        service.add_objective(session, user=dora, key=key, data=objective("x", None))
    with pytest.raises(Conflict):
        service.add_objective(session, user=dora, key=key, data=objective())
    moved = service.update_objective(
        session, user=dora, key=key, rid="brigade", changes={"serves": "protect-elections"}
    )
    assert moved.serves == "protect-elections"
    ivan = member(session, "ivan", "contributor", ["intel"])
    with pytest.raises(Forbidden):
        service.add_objective(session, user=ivan, key=key, data=objective("y"))
    with pytest.raises(Forbidden):
        service.update_objective(session, user=ivan, key=key, rid="brigade", changes={})
    meta, objectives = service.departmental_objectives(session, user=dora, key=key)
    assert meta.objectives == 1 and [o.id for o in objectives] == ["brigade"]
    # the national objectives are untouched, and their list does not include departmental ones
    ids = [o.id for o in service.list_records(session, user=dora, component="objectives")]
    assert "brigade" not in ids


def test_a_departmental_objective_serving_a_hidden_one_shows_no_link(session, loaded, operator):
    key = service.derive(session, user=operator, actor="intel").id
    service.add_objective(session, user=operator, key=key, data=objective("cells", "zebra-cell"))
    low = member(session, "lou", "contributor", ["intel"])
    _meta, objectives = service.departmental_objectives(session, user=low, key=key)
    assert [(o.id, o.serves) for o in objectives] == [("cells", None)]
    with pytest.raises(Invalid, match="serves: no national objective with id 'zebra-cell'"):
        service.add_objective(session, user=low, key=key, data=objective("more", "zebra-cell"))
    # editing the title keeps the hidden link
    service.update_objective(session, user=low, key=key, rid="cells", changes={"title": "Cells"})
    _meta, objectives = service.departmental_objectives(session, user=operator, key=key)
    assert objectives[0].serves == "zebra-cell"


def test_a_hidden_derived_strategy_is_not_found(session, loaded, operator):
    service.derive(session, user=operator, actor="intel", marking="CONFIDENTIAL")
    low = make_user(session, "lou", "reader")
    assert service.derived_strategies(session, user=low) == []
    with pytest.raises(NotFound):
        service.departmental_objectives(session, user=low, key="intel-testland-nss")
    # the national strategy is still the current one for everybody
    assert service.get_strategy(session, user=low).meta.id == "testland-nss"


def _rules(findings):
    return {(f.rule, f.record_id): f for f in findings}


def test_lint_warns_of_national_objectives_no_department_serves(session, loaded, operator):
    before = _rules(service.lint_strategy(session, user=operator, languages=()))
    assert not any(r == "objective-no-department" for r, _ in before)  # no derived one yet
    key = service.derive(session, user=operator, actor="defence").id
    service.add_objective(session, user=operator, key=key, data=objective())
    found = _rules(service.lint_strategy(session, user=operator, languages=()))
    unserved = {rid for r, rid in found if r == "objective-no-department"}
    assert unserved == {"protect-elections", "zebra-cell"}
    f = found[("objective-no-department", "protect-elections")]
    assert f.severity == "warning" and "Protected elections" in f.message


def test_the_lint_warning_names_no_hidden_record(session, loaded, operator):
    key = service.derive(session, user=operator, actor="intel").id
    service.add_objective(
        session,
        user=operator,
        key=key,
        data=objective("cells", "protect-elections", marking="CONFIDENTIAL"),
    )
    low = make_user(session, "lou", "reader")
    findings = service.lint_strategy(session, user=low, languages=())
    mine = [f for f in findings if f.rule == "objective-no-department"]
    assert {f.record_id for f in mine} == {"deter", "protect-elections"}
    hidden = next(f for f in mine if f.record_id == "protect-elections")
    assert hidden.depends_on_hidden and "above your clearance" in hidden.message
    text = " ".join(f"{f.message} {f.fix}" for f in findings)
    assert "zebra" not in text.lower() and SECRET_TITLE not in text and "cells" not in text


def test_lint_of_a_derived_strategy(session, loaded, operator):
    key = service.derive(session, user=operator, actor="defence").id
    service.add_objective(
        session, user=operator, key=key, data=objective(deadline="2029-12-31", indicators=[
            {"name": "ready", "unit": "%", "target": 100}])
    )  # fmt: skip
    found = service.lint_strategy(session, user=operator, key=key, languages=())
    assert not [f for f in found if f.rule in ("no-long-horizon", "no-black-swan")]
    assert not [f for f in found if f.rule == "serves-unknown"]
    # the national objective goes: the departmental one now serves nothing
    service.update_record(session, user=operator, component="capabilities", rid="army",
                          changes={"objectives": []})  # fmt: skip
    service.delete_record(session, user=operator, component="objectives", rid="deter")
    found = service.lint_strategy(session, user=operator, key=key, languages=())
    (f,) = [f for f in found if f.rule == "serves-unknown"]
    assert (f.severity, f.record_id) == ("error", "brigade")


def test_trace_shows_the_cascade_as_the_reader_sees_it(session, loaded, operator):
    assert service.trace_strategy(session, user=operator).cascade == []
    key = service.derive(session, user=operator, actor="defence").id
    service.add_objective(session, user=operator, key=key, data=objective())
    service.add_objective(
        session, user=operator, key=key, data=objective("secret-unit", marking="CONFIDENTIAL")
    )
    rows = service.trace_strategy(session, user=operator).cascade
    pairs = [(r.national_id, r.objective_id) for r in rows]
    assert pairs == [
        ("deter", "brigade"),
        ("deter", "secret-unit"),
        ("protect-elections", None),
        ("zebra-cell", None),
    ]
    low = make_user(session, "lou", "reader")
    rows = service.trace_strategy(session, user=low).cascade
    assert [(r.national_id, r.objective_id) for r in rows] == [
        ("deter", "brigade"),
        ("protect-elections", None),
    ]
    assert service.trace_json(service.trace_strategy(session, user=low))["cascade"][0] == {
        "national_id": "deter",
        "national_title": "Credible deterrence",
        "strategy_id": "defence-testland-nss",
        "kind": "departmental",
        "actor": "defence",
        "objective_id": "brigade",
        "objective_title": "Objective brigade",
        "marking": "UNCLASSIFIED",
    }
