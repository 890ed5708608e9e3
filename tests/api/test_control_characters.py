"""Control characters: refused in request text with the field named, and never able to break a
Word file written from what is already stored (an older import, a YAML file read by the CLI)."""

from __future__ import annotations

import io
import zipfile

from grandstrategy.core.markings import Marking
from grandstrategy.delivery.render import output
from tests.helpers import PASSWORD, make_user


def _headers(client, session, name="ctl", role="analyst", clearance="SECRET"):
    make_user(session, name, role, clearance)
    session.commit()
    r = client.post("/api/auth/token", json={"username": name, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_json_body_with_a_nul_byte_is_refused_naming_the_field(client, session, loaded):
    h = _headers(client, session)
    body = {"rating": "red", "reason": "Budget\x00 frozen"}
    r = client.post("/api/delivery/objectives/deter/judgements", json=body, headers=h)
    assert r.status_code == 422
    assert r.json()["errors"] == ["reason: holds the control character U+0000; remove it"]
    rows = client.get("/api/delivery/objectives/deter", headers=h).json()
    assert "Budget" not in str(rows)  # nothing was stored


def test_query_and_form_values_are_checked_and_text_controls_pass(client, session, loaded):
    h = _headers(client, session)
    r = client.get("/api/delivery/dashboard", params={"rating": "red\x07"}, headers=h)
    assert r.status_code == 422 and "rating" in r.json()["errors"][0]
    r = client.post("/login", data={"username": "ctl\x01", "password": "x"})
    assert r.status_code == 422 and "U+0001" in r.text and "<html" in r.text
    body = {"rating": "red", "reason": "Line one\n\tLine two\r\n"}
    r = client.post("/api/delivery/objectives/deter/judgements", json=body, headers=h)
    assert r.status_code == 201, r.text  # tab and newlines are text, not refused


def test_word_file_drops_control_characters_already_stored():
    marking = Marking.parse("RESTRICTED")
    out = output(["# Pack", "Ready\x01 by\x0b June \x0c"], marking, "docx", "pack", "Pack")
    with zipfile.ZipFile(io.BytesIO(out.content)) as z:
        xml = z.read("word/document.xml").decode()
    assert "Ready by June" in xml
