"""The strategy API never lets a user touch, count or learn of records they cannot see."""

import io
import zipfile

from grandstrategy.strategy import service
from tests.helpers import SECRET_TITLE

MOLE = {
    "id": "mole",
    "title": "Walrus mole in the ministry",
    "kind": "threat",
    "category": "subversion",
    "horizon_years": 5,
    "interests": ["safety"],
    "marking": "SECRET",
}


def hide_a_secret_threat(session, operator):
    service.create_record(session, user=operator, component="threats", data=MOLE)
    session.commit()


def test_import_cannot_touch_hidden_record(client, session, operator, loaded, token_for):
    hide_a_secret_threat(session, operator)
    h = token_for("drafter", "RESTRICTED")
    pkg = client.get("/api/strategy/export", params={"format": "json"}, headers=h).json()
    pkg.pop("marking"), pkg.pop("withheld"), pkg.pop("max_marking")
    pkg["threats"].append({**MOLE, "title": "Drafter's threat", "marking": "UNCLASSIFIED"})
    r = client.post("/api/strategy/import", json=pkg, headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["updated"], r.json()["deleted"]) == (1, 0, 0)
    mole = service.get_record(session, user=operator, component="threats", rid="mole")
    assert mole.marking == "SECRET" and mole.title == MOLE["title"]
    objectives = service.list_records(session, user=operator, component="objectives")
    assert SECRET_TITLE in {o.title for o in objectives}


def test_creating_a_hidden_records_id_is_not_a_conflict(
    client, session, operator, loaded, token_for
):
    hide_a_secret_threat(session, operator)
    h = token_for("drafter", "RESTRICTED")
    body = {**MOLE, "title": "Floods", "marking": "UNCLASSIFIED"}
    r = client.post("/api/strategy/threats", json=body, headers=h)
    assert r.status_code == 201, r.text
    assert client.post("/api/strategy/threats", json=body, headers=h).status_code == 409
    assert client.get("/api/strategy/threats/mole", headers=h).json()["title"] == "Floods"


def test_lint_does_not_name_hidden_records(client, session, operator, loaded, token_for):
    service.update_meta(session, user=operator, changes={"max_priorities": 1})
    service.update_record(
        session, user=operator, component="objectives", rid="zebra-cell", changes={"priority": True}
    )
    session.commit()
    h = token_for("reader")
    r = client.get("/api/strategy/lint", headers=h)
    assert r.status_code == 200 and "zebra" not in r.text.lower()
    top = token_for("reader", "SECRET", ["NATO"])
    assert "zebra-cell" in client.get("/api/strategy/lint", headers=top).text


def test_version_does_not_count_hidden_edits(client, session, operator, loaded, token_for):
    h = token_for("reader")
    before = client.get("/api/strategy", headers=h).json()["version"]
    hist = client.get("/api/strategy/history", headers=h).json()
    service.update_record(
        session, user=operator, component="objectives", rid="zebra-cell", changes={"horizon": 10}
    )
    session.commit()
    assert client.get("/api/strategy", headers=h).json()["version"] == before
    assert client.get("/api/strategy/history", headers=h).json() == hist


def zipped(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(f"pkg/{name}", text)
    return buf.getvalue()


def test_zipped_package_round_trip(client, loaded, token_for):
    h = token_for("drafter", "RESTRICTED")
    data = client.get("/api/strategy/export", params={"format": "yaml"}, headers=h).content
    r = client.post(
        "/api/strategy/import/package",
        content=data,
        headers={**h, "Content-Type": "application/zip"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["created"] == r.json()["updated"] == r.json()["deleted"] == 0


def test_yaml_alias_bomb_through_the_api_is_a_clear_422(client, loaded, token_for):
    h = token_for("drafter", "RESTRICTED")
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    body = zipped(
        {
            "strategy.yaml": "id: x\ntitle: T\ncountry: C\n"
            "period: {start: 2026-01-01, end: 2030-01-01}\n",
            "threats.yaml": "\n".join(lines) + "\n",
        }
    )
    r = client.post(
        "/api/strategy/import/package",
        content=body,
        headers={**h, "Content-Type": "application/zip"},
    )
    assert r.status_code == 422
    assert any("aliases (*a0) are not allowed" in e for e in r.json()["errors"])


def test_not_a_zip_is_a_clear_422(client, loaded, token_for):
    h = token_for("drafter")
    r = client.post(
        "/api/strategy/import/package",
        content=b"hello",
        headers={**h, "Content-Type": "application/zip"},
    )
    assert r.status_code == 422 and "not a zip archive" in r.text


def test_overview_page_lint_does_not_name_hidden_records(client, session, operator, loaded):
    from tests.api.test_pages import login
    from tests.helpers import make_user

    service.update_meta(session, user=operator, changes={"max_priorities": 1})
    service.update_record(
        session, user=operator, component="objectives", rid="zebra-cell", changes={"priority": True}
    )
    make_user(session, "rory", "reader")
    session.commit()
    login(client, "rory")
    html = client.get("/strategy").text
    assert "Credible deterrence" in html  # the page shows the visible strategy
    lint = html.split('data-testid="lint"')[1].split("</section>")[0]
    assert "zebra" not in html.lower() and "are priorities" not in lint
