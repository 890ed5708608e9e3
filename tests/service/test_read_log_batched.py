"""Reads of records loaded without their marking columns are logged like any other, their
markings read with one query per table rather than one per record."""

import json

from sqlalchemy import event, select
from sqlalchemy.orm import load_only

from grandstrategy.core import audit, readlog
from grandstrategy.core.authz import Principal
from grandstrategy.strategy import service
from grandstrategy.strategy.models import ROWS
from grandstrategy.strategy.schemas import Package
from tests.helpers import make_user, package_data


def _many_confidential(operator, session, n=12):
    data = package_data()
    (secret,) = [o for o in data["objectives"] if o["id"] == "zebra-cell"]
    for i in range(n):
        data["objectives"].append({**secret, "id": f"zebra-{i}", "title": f"Cell {i}"})
    service.import_package(session, user=operator, package=Package.model_validate(data))


def test_deferred_markings_are_read_in_one_query_and_every_record_is_logged(
    session, factory, operator
):
    _many_confidential(operator, session)
    reader = make_user(session, "rl1", "council-member", "SECRET")
    session.commit()
    model = ROWS["objectives"]
    statements: list[str] = []
    with factory() as s:
        readlog.collect_reads(s, reader, "test")
        rows = s.execute(select(model).options(load_only(model.id, model.key))).scalars().all()
        assert len(rows) >= 13

        @event.listens_for(s.get_bind(), "before_cursor_execute")
        def seen(conn, cursor, statement, params, context, executemany):
            statements.append(statement)

        try:
            s.commit()
        finally:
            event.remove(s.get_bind(), "before_cursor_execute", seen)
    markings_read = [q for q in statements if model.__tablename__ in q and "SELECT" in q]
    assert len(markings_read) == 1
    (ev,) = audit.list_events(session, user=Principal.operator(), action="read", actor="rl1")
    logged = {r["id"] for r in json.loads(ev.after)["records"]}
    want = {str(r.id) for r in session.execute(select(model)).scalars() if r.marking_level >= 2}
    assert len(want) == 13 and logged == want
    assert str(ev.marking).startswith("CONFIDENTIAL")


def test_a_reader_is_not_logged_for_what_they_may_not_read_nor_below_the_audited_level(
    session, factory, operator
):
    _many_confidential(operator, session, n=3)
    low = make_user(session, "rl2", "council-member", "RESTRICTED")
    session.commit()
    model = ROWS["objectives"]
    with factory() as s:
        readlog.collect_reads(s, low, "test")
        s.execute(select(model).options(load_only(model.id, model.key))).scalars().all()
        s.commit()
    assert audit.list_events(session, user=Principal.operator(), action="read", actor="rl2") == []
