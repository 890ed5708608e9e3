"""Strategy writes and derived data never touch, count or reveal records the user cannot see.

The attack from issue 9: a RESTRICTED drafter exports the strategy (hidden records left out),
adds a record whose id equals a hidden SECRET threat, and imports it back.
"""

import json

import pytest

from grandstrategy.core.errors import Conflict, Invalid
from grandstrategy.strategy import service, versions
from grandstrategy.strategy.models import ObjectiveRow, ThreatRow
from grandstrategy.strategy.schemas import Package
from tests.helpers import make_user, small_package

SECRET_THREAT = {
    "id": "mole",
    "title": "Walrus mole in the ministry",
    "kind": "threat",
    "category": "subversion",
    "authors": ["rival"],
    "horizon_years": 5,
    "likelihood": 2,
    "impact": 4,
    "interests": ["safety"],
    "marking": "SECRET",
}


@pytest.fixture
def strat(session, operator):
    service.import_package(session, user=operator, package=small_package())
    service.create_record(session, user=operator, component="threats", data=SECRET_THREAT)
    service.update_record(
        session,
        user=operator,
        component="objectives",
        rid="zebra-cell",
        changes={"threats": ["meddling", "mole"]},
    )


def counts(session, user):
    pkg = service.load_package(session, user=user)
    return {c: len(getattr(pkg, c)) for c in ("actors", "threats", "objectives", "capabilities")}


def drafters_package(session, drafter, key=None) -> dict:
    """What the drafter exports, plus a threat of their own under the hidden threat's id."""
    data = service.load_package(session, user=drafter, key=key).model_dump(mode="json")
    data.pop("withheld"), data.pop("max_marking")
    data["threats"].append(
        {
            "id": "mole",
            "title": "Drafter's own threat",
            "kind": "challenge",
            "category": "climate",
            "horizon_years": 12,
            "interests": ["safety"],
        }
    )
    return data


def test_import_cannot_touch_hidden_record(session, operator, strat):
    drafter = make_user(session, "dora", "drafter", "RESTRICTED")
    before = counts(session, operator)
    data = drafters_package(session, drafter)
    visible = sum(len(v) for k, v in data.items() if k != "strategy") - 1
    report = service.import_package(session, user=drafter, package=Package.model_validate(data))
    # Only the drafter's new threat: nothing updated, nothing deleted, nothing hidden counted.
    assert (report.created, report.updated, report.deleted, report.unchanged) == (1, 0, 0, visible)
    hidden = service.get_record(session, user=operator, component="threats", rid="mole")
    assert hidden.marking == "SECRET" and hidden.title == "Walrus mole in the ministry"
    after = counts(session, operator)
    assert after == {**before, "threats": before["threats"] + 1}  # no hidden record deleted
    mine = service.get_record(session, user=drafter, component="threats", rid="mole")
    assert mine.title == "Drafter's own threat" and mine.marking == "UNCLASSIFIED"
    zebra = service.get_record(session, user=operator, component="objectives", rid="zebra-cell")
    assert "mole" in zebra.threats and zebra.marking == "CONFIDENTIAL"


def test_import_report_is_the_same_whether_or_not_a_hidden_record_holds_the_id(
    session, operator, strat
):
    other = small_package()
    other.strategy.id = "testland-b"  # the same strategy without the hidden SECRET threat
    service.import_package(session, user=operator, package=other)
    drafter = make_user(session, "dora2", "drafter", "RESTRICTED")
    reports = []
    for key in ("testland-nss", "testland-b"):
        data = drafters_package(session, drafter, key)
        reports.append(
            service.import_package(session, user=drafter, package=Package.model_validate(data))
        )
    with_hidden, without = ({**r.__dict__, "key": ""} for r in reports)
    assert with_hidden == without and with_hidden["version"] == 2


def test_import_deletes_only_visible_records_and_counts_only_them(session, operator, strat):
    drafter = make_user(session, "dora3", "drafter", "RESTRICTED")
    data = service.load_package(session, user=drafter).model_dump(mode="json")
    data.pop("withheld"), data.pop("max_marking")
    data["capabilities"] = [c for c in data["capabilities"] if c["id"] != "analysts"]
    report = service.import_package(session, user=drafter, package=Package.model_validate(data))
    assert (report.created, report.updated, report.deleted) == (0, 0, 1)
    ids = lambda comp: {r.id for r in service.list_records(session, user=operator, component=comp)}  # noqa: E731
    assert "mole" in ids("threats") and "zebra-cell" in ids("objectives")
    assert "nato-tripwire" in ids("threats") and "analysts" not in ids("capabilities")


def test_import_cannot_take_over_a_hidden_strategy(session, operator):
    pkg = small_package()
    pkg.strategy.marking = "SECRET"
    service.import_package(session, user=operator, package=pkg)
    drafter = make_user(session, "dora4", "drafter", "RESTRICTED")
    report = service.import_package(session, user=drafter, package=small_package_unmarked())
    assert (report.created, report.deleted, report.version) == (14, 0, 1)
    original = service.current(session, operator, "testland-nss")  # the original holder first
    assert str(original.marking) == "SECRET" and original.key == "testland-nss"
    assert len(service.load_package(session, user=operator, key="testland-nss").threats) == 4
    mine = service.current(session, drafter, "testland-nss")
    assert str(mine.marking) == "UNCLASSIFIED"


def small_package_unmarked() -> Package:
    data = small_package().model_dump(mode="json")
    data["threats"] = [t for t in data["threats"] if t["marking"] == "UNCLASSIFIED"]
    data["objectives"] = [o for o in data["objectives"] if o["marking"] == "UNCLASSIFIED"]
    data["objectives"][0]["threats"] = ["invasion", "pandemic"]
    return Package.model_validate(data)


def test_import_refuses_links_outside_the_package(session, operator, strat):
    drafter = make_user(session, "dora5", "drafter", "RESTRICTED")
    data = service.load_package(session, user=drafter).model_dump(mode="json")
    data.pop("withheld"), data.pop("max_marking")
    data["objectives"][0]["threats"].append("mole")  # the hidden threat's id
    data["objectives"][0]["threats"].append("nothing-at-all")
    with pytest.raises(Invalid) as exc:
        service.import_package(session, user=drafter, package=Package.model_validate(data))
    # Both links are refused alike: the message does not tell a hidden id from a free one.
    hidden, free = exc.value.details
    assert hidden.replace("'mole'", "X") == free.replace("'nothing-at-all'", "X")
    mole = service.get_record(session, user=operator, component="threats", rid="mole")
    assert mole.marking == "SECRET"


def test_create_with_a_hidden_records_id_succeeds_and_leaves_it_alone(session, operator, strat):
    drafter = make_user(session, "dora6", "drafter", "RESTRICTED")
    rec = service.create_record(
        session,
        user=drafter,
        component="threats",
        data={
            "id": "mole",
            "title": "Floods",
            "kind": "challenge",
            "category": "climate",
            "horizon_years": 15,
            "interests": ["safety"],
        },
    )
    assert rec.id == "mole"
    with pytest.raises(Conflict, match="already exists"):  # their own record now holds it
        service.create_record(
            session,
            user=drafter,
            component="threats",
            data={**rec.model_dump(mode="json"), "title": "Again"},
        )
    service.update_record(
        session, user=drafter, component="objectives", rid="deter", changes={"threats": ["mole"]}
    )
    assert service.get_record(session, user=drafter, component="objectives", rid="deter").threats
    hidden = service.get_record(session, user=operator, component="threats", rid="mole")
    assert hidden.title == "Walrus mole in the ministry" and hidden.marking == "SECRET"
    titles = {t.title for t in service.list_records(session, user=operator, component="threats")}
    assert {"Floods", "Walrus mole in the ministry"} <= titles
    findings = service.lint_strategy(session, user=operator)
    assert any(f.rule == "duplicate-id" and f.record_id == "mole" for f in findings)
    assert not any(f.rule == "duplicate-id" for f in service.lint_strategy(session, user=drafter))


def test_hidden_link_does_not_attach_to_a_new_record_with_the_same_id(session, operator, strat):
    drafter = make_user(session, "dora7", "drafter", "SECRET")  # no NATO compartment
    service.create_record(
        session,
        user=drafter,
        component="threats",
        data={
            "id": "nato-tripwire",
            "title": "Something else",
            "kind": "challenge",
            "category": "health",
            "horizon_years": 15,
            "interests": ["safety"],
        },
    )
    deter = service.get_record(session, user=drafter, component="objectives", rid="deter")
    assert "nato-tripwire" not in deter.threats  # the hidden link stays hidden
    row = session.query(ObjectiveRow).filter_by(key="deter").one()
    assert "nato-tripwire" in row.threats  # and still names the NATO threat it was made to
    assert session.query(ThreatRow).filter(ThreatRow.key.like("nato-tripwire~%")).count() == 1


def test_lint_does_not_name_hidden_records(session, operator):
    pkg = small_package()
    pkg.strategy.max_priorities = 1
    zebra = pkg.objectives[2]
    zebra.priority = True  # two priorities, one of them CONFIDENTIAL
    pkg.objectives[1].parent = "zebra-cell"  # a cycle through the hidden objective
    service.import_package(session, user=operator, package=pkg)
    full = {f.rule for f in service.lint_strategy(session, user=operator)}
    assert {"too-many-priorities", "parent-cycle"} <= full
    reader = make_user(session, "rita", "reader")
    findings = service.lint_strategy(session, user=reader)
    text = json.dumps([f.__dict__ for f in findings])
    assert "zebra-cell" not in text and "Zebra" not in text
    assert not {"too-many-priorities", "parent-cycle"} & {f.rule for f in findings}


def test_lint_says_when_a_finding_depends_on_hidden_records(session, operator):
    pkg = small_package()
    pkg.objectives[2].interests = ["democracy", "safety"]
    pkg.objectives[1].interests = []  # democracy now served only by the hidden objective
    service.import_package(session, user=operator, package=pkg)
    reader = make_user(session, "rita2", "reader")
    (f,) = [f for f in service.lint_strategy(session, user=reader) if f.record_id == "democracy"]
    assert f.rule == "interest-unserved" and f.depends_on_hidden
    assert "depends on records above your clearance" in f.message
    assert "zebra" not in f.message.lower()
    assert not [
        f for f in service.lint_strategy(session, user=operator) if f.record_id == "democracy"
    ]


def test_version_and_history_do_not_count_hidden_edits(session, operator, strat):
    reader = make_user(session, "rita3", "reader")
    s = service.current(session, reader)
    seen = service.version_of(session, user=reader, strategy=s)
    hist = versions.history(session, user=reader, strategy=s)
    service.update_record(
        session, user=operator, component="threats", rid="mole", changes={"impact": 5}
    )
    # A hidden link added to a visible record is a hidden edit too.
    service.update_record(
        session,
        user=operator,
        component="objectives",
        rid="deter",
        changes={"threats": ["invasion", "pandemic", "nato-tripwire", "mole"]},
    )
    assert service.version_of(session, user=reader, strategy=s) == seen
    assert versions.history(session, user=reader, strategy=s) == hist
    assert versions.history(session, user=reader, strategy=s, key="deter") == [
        h for h in hist if h.key == "deter"
    ]
    service.update_record(
        session, user=operator, component="roles", rid="ally", changes={"description": "More."}
    )
    assert service.version_of(session, user=reader, strategy=s) == seen + 1
    numbers = sorted({h.version for h in versions.history(session, user=reader, strategy=s)})
    assert numbers == list(range(1, seen + 2))  # no gaps where hidden edits were
    (d,) = versions.diff(session, user=reader, strategy=s, v1=seen, v2=seen + 1)
    assert d.key == "ally" and [c.field for c in d.changes] == ["description"]
    assert service.version_of(session, user=operator, strategy=s) == s.version


def test_stale_check_uses_the_readers_own_version(session, operator, strat):
    drafter = make_user(session, "dora8", "drafter", "RESTRICTED")
    s = service.current(session, drafter)
    mine = service.version_of(session, user=drafter, strategy=s)
    service.update_record(
        session, user=operator, component="threats", rid="mole", changes={"impact": 5}
    )
    service.update_record(
        session,
        user=drafter,
        component="roles",
        rid="ally",
        changes={"description": "x"},
        base_version=mine,
    )  # a hidden edit in between is no conflict the drafter could see or resolve


def test_deleting_a_record_hidden_records_link_to_keeps_them_consistent(session, operator, strat):
    drafter = make_user(session, "dora9", "drafter", "RESTRICTED")
    service.create_record(
        session,
        user=drafter,
        component="roles",
        data={"id": "broker", "name": "Honest broker"},
    )
    service.update_record(
        session, user=operator, component="objectives", rid="zebra-cell",
        changes={"roles": ["ally", "broker"]},
    )  # fmt: skip
    s = service.current(session, drafter)
    seen = service.version_of(session, user=drafter, strategy=s)
    service.delete_record(session, user=drafter, component="roles", rid="broker")
    zebra = service.get_record(session, user=operator, component="objectives", rid="zebra-cell")
    assert zebra.roles == ["ally"]
    assert not [
        f for f in service.lint_strategy(session, user=operator) if f.rule == "dangling-link"
    ]
    hist = versions.history(session, user=operator, strategy=s, key="zebra-cell")
    assert hist[0].op == "update" and hist[0].changes[0].field == "roles"
    dh = versions.history(session, user=drafter, strategy=s)
    assert service.version_of(session, user=drafter, strategy=s) == seen + 1
    assert "zebra" not in json.dumps([h.model_dump(mode="json") for h in dh])


def test_yaml_alias_bomb_in_a_package_is_refused_quickly(tmp_path):
    from grandstrategy.strategy.package import read_package

    (tmp_path / "strategy.yaml").write_text(
        "id: x\ntitle: T\ncountry: C\nperiod: {start: 2026-01-01, end: 2030-01-01}\n"
    )
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    (tmp_path / "actors.yaml").write_text("\n".join(lines) + "\n")
    assert (tmp_path / "actors.yaml").stat().st_size < 2000  # a billion "lol"s when expanded
    with pytest.raises(Invalid) as exc:  # before the fix: minutes and gigabytes, then a crash
        read_package(tmp_path)
    assert "actors.yaml:2: not valid YAML: aliases (*a0) are not allowed" in exc.value.details[0]


def test_freezing_after_a_hidden_edit_adds_no_version_for_those_who_cannot_see_it(
    session, operator, strat
):
    reader = make_user(session, "rita4", "reader")
    s = service.current(session, reader)
    seen = service.version_of(session, user=reader, strategy=s)
    service.update_record(
        session, user=operator, component="threats", rid="mole", changes={"impact": 5}
    )
    ed = versions.freeze(session, user=operator, strategy=s, status="approved")
    assert service.version_of(session, user=reader, strategy=s) == seen
    (entry,) = [h for h in versions.history(session, user=reader, strategy=s) if h.op == "update"]
    assert entry.version == seen and [c.field for c in entry.changes] == ["status"]
    assert [e.version for e in versions.editions(session, user=operator, strategy=s)] == [
        ed.version
    ]
    assert ed.version == service.version_of(session, user=operator, strategy=s)


def test_reimport_by_a_low_user_keeps_hidden_links_and_changes_nothing(session, operator, strat):
    service.update_record(
        session,
        user=operator,
        component="objectives",
        rid="deter",
        changes={"threats": ["invasion", "nato-tripwire", "pandemic"]},  # hidden in the middle
    )
    drafter = make_user(session, "dora10", "drafter", "RESTRICTED")
    data = service.load_package(session, user=drafter).model_dump(mode="json")
    data.pop("withheld"), data.pop("max_marking")
    report = service.import_package(session, user=drafter, package=Package.model_validate(data))
    assert (report.created, report.updated, report.deleted) == (0, 0, 0)
    deter = service.get_record(session, user=operator, component="objectives", rid="deter")
    assert deter.threats == ["invasion", "nato-tripwire", "pandemic"]


def test_package_file_with_too_many_items_is_refused_with_a_clear_error(tmp_path):
    from grandstrategy.strategy.package import MAX_NODES, read_package

    (tmp_path / "strategy.yaml").write_text(
        "id: x\ntitle: T\ncountry: C\nperiod: {start: 2026-01-01, end: 2030-01-01}\n"
    )
    (tmp_path / "roles.yaml").write_text("- a\n" * (MAX_NODES + 10))  # ~200 KB of tiny items
    with pytest.raises(Invalid) as exc:
        read_package(tmp_path)
    assert f"more than {MAX_NODES} items" in exc.value.details[0]
