"""Foresight holes a low-clearance user could use (issue 9): explanations quoting hidden
passages, duplicate answers revealing hidden documents, script URLs turned into links, ids
past the database's integers, and documents built to exhaust the ingester."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from sqlalchemy import select

from grandstrategy.core.authz import Principal
from grandstrategy.horizon import embed, pipeline
from grandstrategy.horizon.classify import engine
from grandstrategy.horizon.models import Document, TrainedModel
from tests.helpers import PASSWORD, make_user

SECRET_WORD = "Pangolin"  # only in the SECRET passage
SECRET_TEXT = (
    f"{SECRET_WORD} relay assessment\n\nRansomware operators linked to a hostile intelligence "
    f"service encrypted the ministry's servers; the {SECRET_WORD} relay traced the intrusion "
    "to a command server abroad and the attackers demanded payment in cryptocurrency."
)
OPEN_TEXT = SECRET_TEXT.replace(SECRET_WORD, "Open")  # its nearest example is the SECRET one


def upload(client, headers, name: str, data: bytes | str, **form: str):
    body = data.encode() if isinstance(data, str) else data
    return client.post(
        "/api/horizon/documents", files={"file": (name, body)}, data=form, headers=headers
    )


def _user(client, session, name: str, clearance: str) -> dict[str, str]:
    """API headers for a new analyst; ``X-User`` names them for ``page``."""
    compartments = [] if clearance == "UNCLASSIFIED" else ["NATO", "EU"]
    make_user(session, name, "analyst", clearance, compartments)
    session.commit()
    r = client.post("/api/auth/token", json={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}", "X-User": name}


@pytest.fixture
def high(client, session):
    return _user(client, session, "hightrust", "SECRET")


@pytest.fixture
def low(client, session):
    return _user(client, session, "lowtrust", "UNCLASSIFIED")


def page(client, who: dict[str, str], url: str):
    """GET a page as ``who``, logged in through the form (pages use a session cookie)."""
    client.cookies.clear()
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    r = client.post(
        "/login",
        data={"username": who["X-User"], "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    try:
        return client.get(url)
    finally:
        client.cookies.clear()


def _doc_id(response) -> int:
    assert response.status_code == 201, response.text
    (doc_id,) = response.json()["document_ids"]
    return int(doc_id)


# --- item 2: the nearest-example explanation --------------------------------------------------


def test_explanation_never_quotes_a_passage_above_the_reader(client, session, high, low):
    if not embed.available():
        pytest.skip("the sentence encoder is not installed")
    secret_doc = _doc_id(upload(client, high, "s.txt", SECRET_TEXT, marking="SECRET"))
    open_doc = _doc_id(upload(client, high, "o.txt", OPEN_TEXT))
    secret_pid = client.get(f"/api/horizon/documents/{secret_doc}", headers=high).json()[
        "passages"
    ][0]["id"]
    open_pid = client.get(f"/api/horizon/documents/{open_doc}", headers=low).json()["passages"][0][
        "id"
    ]
    r = client.post(
        "/api/horizon/labels",
        json={"passage_id": secret_pid, "category": "cyber", "verdict": "confirm"},
        headers=high,
    )
    assert r.status_code == 201, r.text
    engine.train(session, user=Principal.operator("t"), tune=False)
    session.commit()
    model = session.execute(select(TrainedModel).order_by(TrainedModel.id.desc())).scalars().first()
    assert model is not None and str(model.marking) == "SECRET"  # derived data is marked

    seen_high = client.get(f"/api/horizon/passages/{open_pid}/explain", headers=high)
    assert seen_high.status_code == 200
    assert SECRET_WORD in seen_high.text, "the SECRET example is the nearest for a reader cleared"
    assert SECRET_WORD in page(client, high, f"/horizon/passages/{open_pid}/why").text
    r = client.get(f"/api/horizon/passages/{open_pid}/explain", headers=low)
    assert r.status_code == 200 and SECRET_WORD not in r.text
    why = page(client, low, f"/horizon/passages/{open_pid}/why")
    assert why.status_code == 200 and "Why these labels" in why.text
    assert SECRET_WORD not in why.text
    labels = client.get(f"/api/horizon/passages/{open_pid}/explain", headers=low).json()
    assert any(lb["examples"] for lb in labels), "starter examples are still shown"


# --- item 4: duplicates only of what the uploader may see -----------------------------------


def test_a_text_identical_to_a_hidden_document_is_stored_again_not_a_duplicate(
    client, session, high, low
):
    hidden = _doc_id(upload(client, high, "s.txt", SECRET_TEXT, marking="SECRET"))
    r = upload(client, low, "mine.txt", SECRET_TEXT)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["duplicates"] == 0 and body["ingested"] == 1
    mine = body["document_ids"][0]
    assert mine != hidden
    doc = client.get(f"/api/horizon/documents/{mine}", headers=low).json()
    assert doc["summary"]["marking"] == "UNCLASSIFIED"
    assert client.get(f"/api/horizon/documents/{hidden}", headers=low).status_code == 404
    again = upload(client, low, "again.txt", SECRET_TEXT).json()
    assert again["duplicates"] == 1 and again["ingested"] == 0  # what they may see is a duplicate
    by_high = upload(client, high, "copy.txt", SECRET_TEXT, marking="SECRET").json()
    assert by_high["duplicates"] == 1
    copies = session.execute(
        select(Document.marking_level).where(Document.id.in_([hidden, mine]))
    ).scalars()
    assert sorted(copies) == [0, 3]


# --- item 6: script URLs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,x",
        "vbscript:msgbox(1)",
    ],
)
def test_a_script_url_from_a_document_is_never_a_link(client, high, url):
    line = json.dumps({"title": "Linked", "text": "A port was attacked at night.", "url": url})
    doc_id = _doc_id(upload(client, high, "feed.jsonl", line))
    shown = page(client, high, f"/horizon/documents/{doc_id}")
    assert shown.status_code == 200 and f"document {doc_id}" in shown.text
    text = shown.text.lower().replace("\t", "")
    assert 'href="javascript' not in text and 'href=" javascript' not in text
    assert 'href="data:' not in text and 'href="vbscript' not in text
    assert ">original</a>" not in shown.text


def test_a_web_url_from_a_document_is_a_link(client, high):
    line = json.dumps(
        {"title": "Linked", "text": "A port was attacked.", "url": "https://x.test/a"}
    )
    doc_id = _doc_id(upload(client, high, "feed.jsonl", line))
    shown = page(client, high, f"/horizon/documents/{doc_id}")
    assert 'href="https://x.test/a"' in shown.text


# --- item 12: ids past the database's integers ------------------------------------------------


@pytest.mark.parametrize("big", [2**63, 2**64 + 5, 10**30])
def test_ids_past_the_largest_integer_are_not_found(client, high, big):
    for url in (f"/api/horizon/documents/{big}", f"/api/horizon/passages/{big}/explain"):
        r = client.get(url, headers=high)
        assert r.status_code in (404, 422), f"{url}: {r.status_code}"
    for url in (f"/horizon/documents/{big}", f"/horizon/passages/{big}/why"):
        r = page(client, high, url)
        assert r.status_code in (404, 422), f"{url}: {r.status_code}"
    r = client.post(
        "/api/horizon/labels",
        json={"passage_id": big, "category": "cyber", "verdict": "confirm"},
        headers=high,
    )
    assert r.status_code in (404, 422), r.text


# --- item 13: resource bombs ------------------------------------------------------------------


def _docx_bomb(xml_bytes: int) -> bytes:
    """A DOCX whose document part unpacks to ``xml_bytes`` of repetitive XML."""
    run = "<w:p><w:r><w:t>" + "threat " * 100 + "</w:t></w:r></w:p>"
    body = run * (xml_bytes // len(run) + 1)
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", document)
    return buf.getvalue()


def test_a_docx_bomb_is_refused_with_its_reason(client, high):
    data = _docx_bomb(40 * 2**20)
    assert len(data) < 500_000  # small on the wire
    r = upload(client, high, "bomb.docx", data)
    assert r.status_code == 422, r.text
    assert "unpacks to too much" in r.text


def test_a_document_with_too_many_passages_is_refused(client, high, monkeypatch):
    monkeypatch.setattr(pipeline, "MAX_PASSAGES", 3)
    text = "\n\n".join(
        f"Paragraph {i}: " + "the port was attacked at night. " * 10 for i in range(5)
    )
    r = upload(client, high, "long.txt", text)
    assert r.status_code == 422 and "too many passages" in r.text


def test_a_ten_megabyte_single_line_is_refused_with_its_reason(client, high, settings):
    settings.max_upload_bytes = 11 * 2**20
    line = ("drones crossed the border at night " * 300_000)[: 10 * 2**20]
    r = upload(client, high, "line.txt", line)
    assert r.status_code == 422, r.text
    assert "text too long" in r.text
