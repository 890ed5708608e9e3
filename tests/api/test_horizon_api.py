"""The foresight API as a client uses it: upload, documents, passages, search, labels,
taxonomy, and what a user below a document's marking never learns of it."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import select

from grandstrategy.core.models import AuditEvent
from grandstrategy.horizon.models import Feedback

ALL = ["NATO", "EU", "NATIONAL-ONLY"]

# Words that occur only in the marked documents: seeing one means a leak.
NATO_WORD, CONF_WORD = "Narwhal", "Okapi"
DOCS = {
    "open": (
        "UNCLASSIFIED",
        "Port attack report\n\nA cyber attack on the port of Antwerp disrupted container "
        "traffic for a day; the operator restored its systems from backups.",
    ),
    "nato": (
        "RESTRICTED//NATO",
        f"{NATO_WORD} relay report\n\nA cyber attack on NATO headquarters networks in Brussels "
        f"was contained by the alliance's {NATO_WORD} response team.",
    ),
    "conf": (
        "CONFIDENTIAL",
        f"{CONF_WORD} cell report\n\nA cyber attack attributed to a hostile intelligence service "
        f"targeted the federal government's classified network; the {CONF_WORD} cell traced it.",
    ),
}


def upload(client, headers, name: str, data: bytes | str, **form: str):
    body = data.encode() if isinstance(data, str) else data
    return client.post(
        "/api/horizon/documents", files={"file": (name, body)}, data=form, headers=headers
    )


@pytest.fixture
def analyst(token_for):
    return token_for("analyst", "SECRET", ALL)


@pytest.fixture
def marked(client, analyst):
    """The three documents, each from its own source; returns {key: (doc id, passage id)}."""
    out = {}
    for key, (marking, text) in DOCS.items():
        r = upload(client, analyst, f"{key}.txt", text, source=f"src-{key}", marking=marking)
        assert r.status_code == 201, r.text
        (doc_id,) = r.json()["document_ids"]
        doc = client.get(f"/api/horizon/documents/{doc_id}", headers=analyst).json()
        assert doc["summary"]["marking"] == marking
        out[key] = (doc_id, doc["passages"][0]["id"])
    return out


# --- upload ---------------------------------------------------------------------------------


def test_upload_a_file_then_read_it_back(client, analyst):
    text = (
        "Undersea cable cut near Zeebrugge\n\nA data cable on the seabed off the Belgian coast "
        "was damaged. Investigators suspect sabotage by a vessel linked to Russia."
    )
    r = upload(client, analyst, "cable.txt", text, source="press review")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["ingested"] == 1 and body["duplicates"] == 0 and body["failed"] == []
    doc = client.get(f"/api/horizon/documents/{body['document_ids'][0]}", headers=analyst).json()
    s = doc["summary"]
    assert s["title"] == "Undersea cable cut near Zeebrugge" and s["source"] == "press review"
    assert s["marking"] == "UNCLASSIFIED" and s["language"] == "en" and doc["origin"] == "cable.txt"
    assert "hybrid" in [c for c, _ in s["categories"]]
    assert ["state:RU", "Russia", 1] in s["actors"]
    assert doc["passages"] and all(
        text[p["start"] : p["end"]] == p["text"] for p in doc["passages"]
    )


def test_upload_the_same_text_twice_stores_it_once(client, analyst):
    text = "Floods in Wallonia\n\nHeavy rain made the Vesdre burst its banks again."
    assert upload(client, analyst, "a.txt", text).json()["ingested"] == 1
    again = upload(client, analyst, "copy-of-a.txt", text)
    assert again.status_code in (200, 201), again.text
    assert again.json()["ingested"] == 0 and again.json()["duplicates"] == 1
    assert client.get("/api/horizon/documents", headers=analyst).json()["total"] == 1


def test_upload_jsonl_and_feed(client, analyst):
    lines = [
        {
            "title": "Election meddling inquiry",
            "text": "A foreign intelligence service paid local politicians to steer the vote.",
            "date": "2025-02-03",
            "labels": ["subversion"],
            "source": "Le Soir",
        },
        {"title": "Broken line"},
        {"title": "Crue de la Meuse", "text": "La Meuse est sortie de son lit.", "language": "fr"},
    ]
    r = upload(client, analyst, "bulk.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
    assert r.status_code == 201, r.text
    assert r.json()["ingested"] == 2
    assert r.json()["failed"] == [["bulk.jsonl:2", "line 2: 'text' is missing"]]
    first = client.get(f"/api/horizon/documents/{r.json()['document_ids'][0]}", headers=analyst)
    assert first.json()["given_labels"] == ["subversion"]
    assert first.json()["summary"]["published"] == "2025-02-03"
    assert first.json()["summary"]["source"] == "Le Soir"
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Watch</title>'
        "<item><title>Cocaine seized</title><description>Customs seized cocaine in the port."
        "</description></item><item><title>Drones over the base</title><description>Drones "
        "flew over the naval base.</description></item></channel></rss>"
    )
    r = upload(client, analyst, "harbour.xml", rss)
    assert r.status_code == 201 and r.json()["ingested"] == 2, r.text
    docs = client.get("/api/horizon/documents", params={"source": "Harbour Watch"}, headers=analyst)
    assert {d["title"] for d in docs.json()["documents"]} == {
        "Cocaine seized",
        "Drones over the base",
    }


BAD_FILES = [
    ("broken.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8, "not a valid PDF"),
    ("latin1.txt", "Crise énergétique à Liège".encode("latin-1"), "not UTF-8"),
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"   \n\n  ", "no readable text"),
]


def test_a_file_that_cannot_be_read_is_refused_with_its_reason(client, analyst):
    for name, data, reason in BAD_FILES:
        r = upload(client, analyst, name, data)
        assert r.status_code == 422, f"{name}: {r.status_code} {r.text}"
        body = r.json()
        assert name in body["detail"], body
        assert any(e.startswith(f"{name}: ") and reason in e for e in body["errors"]), body
    assert client.get("/api/horizon/documents", headers=analyst).json()["total"] == 0


def test_upload_over_the_size_limit(client, analyst, settings):
    settings.max_upload_bytes = 2_000
    big = ("Terror plot foiled in Brussels. " * 100).encode()  # 3,200 bytes
    r = upload(client, analyst, "big.txt", big)
    assert r.status_code == 413
    assert "too large" in r.json()["detail"] and "2000 bytes" in r.json()["detail"]
    # a client that streams the body (no Content-Length) meets the same limit in the route
    boundary = "gsboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\n"
        ).encode()
        + big
        + f"\r\n--{boundary}--\r\n".encode()
    )
    r = client.post(
        "/api/horizon/documents",
        content=iter([body]),
        headers={**analyst, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code in (413, 422), r.text
    assert "too large" in r.json()["detail"] and "2000 bytes" in r.json()["detail"]
    small = upload(client, analyst, "small.txt", "Terror plot foiled in Brussels.")
    assert small.status_code == 201
    assert client.get("/api/horizon/documents", headers=analyst).json()["total"] == 1


def test_upload_options_are_checked(client, analyst, token_for):
    text = "Cyber attack on the port."
    r = upload(client, analyst, "a.txt", text, format="word")
    assert r.status_code == 422 and "unknown format 'word'" in r.json()["detail"]
    r = upload(client, analyst, "a.txt", text, marking="ULTRA")
    assert r.status_code == 422
    low = token_for("analyst", "RESTRICTED")
    r = upload(client, low, "a.txt", text, marking="SECRET")
    assert r.status_code == 422 and "above your clearance" in r.json()["detail"]
    r = upload(client, token_for("council-member", "SECRET"), "a.txt", text)
    assert r.status_code == 403
    r = client.post("/api/horizon/documents", headers=analyst)
    assert r.status_code == 422 and "file" in json.dumps(r.json())
    assert client.get("/api/horizon/documents", headers=analyst).json()["total"] == 0


# --- restriction: lists, counts, facets, reads ----------------------------------------------


@pytest.mark.parametrize(
    ("clearance", "compartments", "visible", "marking"),
    [
        ("RESTRICTED", [], {"open"}, "UNCLASSIFIED"),
        ("RESTRICTED", ["NATO"], {"open", "nato"}, "RESTRICTED//NATO"),
        ("SECRET", [], {"open", "conf"}, "CONFIDENTIAL"),
        ("SECRET", ["NATO"], {"open", "nato", "conf"}, "CONFIDENTIAL//NATO"),
    ],
)
def test_a_document_the_user_may_not_read_is_absent_everywhere(
    client, marked, token_for, clearance, compartments, visible, marking
):
    h = token_for("analyst", clearance, compartments)
    hidden_words = [w for k, w in (("nato", NATO_WORD), ("conf", CONF_WORD)) if k not in visible]
    seen: list[str] = []

    def get(path: str, **params):
        r = client.get(path, params=params, headers=h)
        seen.append(r.text)
        return r

    listing = get("/api/horizon/documents").json()
    assert listing["total"] == len(visible)
    assert {d["id"] for d in listing["documents"]} == {marked[k][0] for k in visible}
    for key, (doc_id, passage_id) in marked.items():
        doc = get(f"/api/horizon/documents/{doc_id}")
        why = get(f"/api/horizon/passages/{passage_id}/explain")
        assert doc.status_code == why.status_code == (200 if key in visible else 404)
        r = client.post(
            "/api/horizon/labels",
            json={"passage_id": passage_id, "category": "cyber", "verdict": "confirm"},
            headers=h,
        )
        seen.append(r.text)
        assert r.status_code == (201 if key in visible else 404)
    found = get("/api/horizon/search", q="cyber attack").json()
    assert found["total"] == len(found["hits"]) == len(visible)
    facets = {name: dict(values) for name, values in found["facets"].items()}
    assert facets["source"] == {f"src-{k}": 1 for k in visible}
    assert facets["language"] == {"en": len(visible)}
    assert facets["category"]["cyber"] == len(visible)
    assert all(n <= len(visible) for n in facets["category"].values())
    stats = get("/api/horizon/stats").json()
    assert stats["documents"] == stats["passages"] == len(visible)
    assert stats["sources"] == {f"src-{k}": 1 for k in visible}
    assert stats["languages"] == {"en": len(visible)}
    assert stats["categories"]["cyber"] == len(visible)
    assert all(n <= len(visible) for n in stats["categories"].values())
    assert found["marking"] == marking  # the search result carries what it was made from
    for text in seen:
        for word in hidden_words:
            assert word not in text


def test_every_horizon_route_with_an_id_answers_404_for_unknown_and_hidden_ids(
    client, marked, token_for
):
    """Walks the OpenAPI document, so a route added later is covered too."""
    low = token_for("admin", "UNCLASSIFIED")  # every action, lowest clearance
    spec = client.get("/openapi.json").json()
    walked = 0
    for path, item in spec["paths"].items():
        if not path.startswith("/api/horizon/") or "{" not in path:
            continue
        if path.startswith(
            tuple(f"/api/horizon/{r}/" for r in ("stories", "alerts", "briefs", "watch"))
        ):  # their ids: tests/api/test_horizon_analysis_api.py, test_horizon_watch_api.py
            continue
        for method in item:
            for key in ("nato", "conf", None):
                doc_id, passage_id = marked[key] if key else (987654, 987654)
                url = path.replace("{doc_id}", str(doc_id)).replace("{passage_id}", str(passage_id))
                assert "{" not in url, f"unknown path parameter in {path}"
                r = client.request(method.upper(), url, headers=low)
                assert r.status_code == 404, f"{method} {url}: {r.status_code}"
                assert NATO_WORD not in r.text and CONF_WORD not in r.text
                walked += 1
    assert walked >= 6


# --- search ---------------------------------------------------------------------------------


def test_search_hits_cite_document_passage_and_offsets(client, analyst, marked):
    r = client.get("/api/horizon/search", params={"q": "cyber attack"}, headers=analyst).json()
    assert r["total"] == 3 and r["marking"] == "CONFIDENTIAL//NATO"
    for hit in r["hits"]:
        doc = client.get(f"/api/horizon/documents/{hit['document_id']}", headers=analyst).json()
        p = next(p for p in doc["passages"] if p["id"] == hit["passage_id"])
        assert (hit["seq"], hit["start"], hit["end"]) == (p["seq"], p["start"], p["end"])
        assert (
            hit["citation"] == f"doc {hit['document_id']} ¶{p['seq'] + 1} [{p['start']}:{p['end']}]"
        )
        found = {hit["snippet"][a:b].lower() for a, b in hit["matches"]}
        assert {"cyber", "attack"} <= found and "<mark>" not in hit["snippet"]
        assert "'cyber'" in hit["why"] and hit["matched"]
    only = client.get(
        "/api/horizon/search", params={"q": "cyber attack", "source": "src-nato"}, headers=analyst
    ).json()
    assert [h["document_id"] for h in only["hits"]] == [marked["nato"][0]]
    assert "source = src-nato" in only["hits"][0]["why"]
    phrase = client.get("/api/horizon/search", params={"q": '"port of Antwerp"'}, headers=analyst)
    assert [h["document_id"] for h in phrase.json()["hits"]] == [marked["open"][0]]
    cyber = client.get(
        "/api/horizon/search", params={"q": "attack", "category": "cyber"}, headers=analyst
    ).json()
    assert cyber["total"] == 3 and all("cyber" in h["categories"] for h in cyber["hits"])
    future = client.get(
        "/api/horizon/search", params={"q": "attack", "since": "2999-01-01"}, headers=analyst
    ).json()
    assert future["total"] == 0 and future["hits"] == []
    bad = client.get("/api/horizon/search", params={"q": "-attack"}, headers=analyst)
    assert bad.status_code == 422 and "no words" in bad.json()["detail"]
    bad = client.get(
        "/api/horizon/search", params={"q": "attack", "since": "soon"}, headers=analyst
    )
    assert bad.status_code == 422 and "since" in json.dumps(bad.json())


# --- passages and labels --------------------------------------------------------------------


def test_explain_names_the_matched_terms(client, analyst, marked):
    _, passage_id = marked["open"]
    r = client.get(f"/api/horizon/passages/{passage_id}/explain", headers=analyst)
    assert r.status_code == 200
    cyber = next(lb for lb in r.json() if lb["category"] == "cyber")
    assert 0 < cyber["score"] <= 1 and "cyber attack" in cyber["explanation"].lower()


def test_why_page_explains_each_label_and_hides_what_the_user_may_not_read(client, session, marked):
    from tests.helpers import PASSWORD, make_user

    make_user(session, "wanda", "analyst", "RESTRICTED")
    session.commit()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    r = client.post(
        "/login",
        data={"username": "wanda", "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    doc_id, passage_id = marked["open"]
    doc = client.get(f"/horizon/documents/{doc_id}")
    assert f'href="/horizon/passages/{passage_id}/why"' in doc.text
    why = client.get(f"/horizon/passages/{passage_id}/why")
    assert why.status_code == 200 and why.headers["content-type"].startswith("text/html")
    assert "Why these labels" in why.text and 'data-category="cyber"' in why.text
    assert "cyber attack" in why.text.lower()
    hidden = client.get(f"/horizon/passages/{marked['conf'][1]}/why")
    assert hidden.status_code == 404 and CONF_WORD not in hidden.text


def _labels(client, headers, doc_id: int) -> dict[str, dict]:
    doc = client.get(f"/api/horizon/documents/{doc_id}", headers=headers).json()
    return {lb["category"]: lb for lb in doc["passages"][0]["labels"]}


def test_labels_confirm_and_reject_are_kept_with_who_and_when(client, session, marked, token_for):
    h = token_for("analyst", "SECRET", ALL)
    me = client.get("/api/me", headers=h).json()["username"]
    doc_id, passage_id = marked["open"]
    assert _labels(client, h, doc_id)["cyber"]["verdict"] is None
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)

    def post(category: str, verdict: str, note: str = ""):
        return client.post(
            "/api/horizon/labels",
            json={"passage_id": passage_id, "category": category, "verdict": verdict, "note": note},
            headers=h,
        )

    assert post("cyber", "confirm", "clear case").status_code == 201
    assert post("terrorism", "reject").status_code == 201
    assert post("economic", "confirm", "costs to shipping").status_code == 201
    labels = _labels(client, h, doc_id)
    assert labels["cyber"]["verdict"] == "confirm" and labels["cyber"]["score"] is not None
    assert labels["terrorism"]["verdict"] == "reject"
    # a category the classifier did not give, added by the analyst
    assert labels["economic"]["verdict"] == "confirm" and labels["economic"]["score"] is None
    assert post("cyber", "reject", "on second thoughts").status_code == 201
    assert _labels(client, h, doc_id)["cyber"]["verdict"] == "reject"  # the latest counts
    rows = session.execute(
        select(Feedback).where(Feedback.passage_id == passage_id).order_by(Feedback.id)
    ).scalars()
    kept = [(f.category, f.verdict, f.actor, f.note) for f in rows]
    assert kept == [
        ("cyber", "confirm", me, "clear case"),
        ("terrorism", "reject", me, ""),
        ("economic", "confirm", me, "costs to shipping"),
        ("cyber", "reject", me, "on second thoughts"),
    ]
    for f in session.execute(select(Feedback)).scalars():
        at = f.at if f.at.tzinfo else f.at.replace(tzinfo=dt.UTC)
        assert before <= at <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    events = session.execute(
        select(AuditEvent.action).where(AuditEvent.actor == me, AuditEvent.object_type == "passage")
    ).scalars()
    assert sorted(events) == sorted(["horizon.label.confirm", "horizon.label.reject"] * 2)


def test_bad_labels_are_refused(client, marked, token_for):
    h = token_for("analyst", "SECRET", ALL)
    _, passage_id = marked["open"]

    def post(**body):
        return client.post("/api/horizon/labels", json=body, headers=h)

    r = post(passage_id=passage_id, category="weather", verdict="confirm")
    assert r.status_code == 422 and "unknown category" in r.json()["detail"]
    r = post(passage_id=passage_id, category="cyber", verdict="maybe")
    assert r.status_code == 422 and "confirm, reject" in r.json()["detail"]
    assert post(passage_id=987654, category="cyber").status_code == 404
    assert post(category="cyber").status_code == 422
    reader = token_for("council-member", "SECRET", ALL)  # reads horizon, may not label
    r = client.post(
        "/api/horizon/labels", json={"passage_id": passage_id, "category": "cyber"}, headers=reader
    )
    assert r.status_code == 403
    doc_id = marked["open"][0]
    assert all(lb["verdict"] is None for lb in _labels(client, h, doc_id).values())


# --- taxonomy and roles ---------------------------------------------------------------------


def test_taxonomy(client, token_for):
    h = token_for("council-member")
    tax = client.get("/api/horizon/taxonomy", headers=h).json()
    ids = [c["id"] for c in tax["categories"]]
    assert set(ids) >= {"subversion", "cyber", "hybrid", "crime-extremism", "nuclear", "none"}
    assert len(ids) == len(set(ids)) >= 16
    cyber = next(c for c in tax["categories"] if c["id"] == "cyber")
    assert cyber["name"] and cyber["description"] and cyber["interests"]
    assert all(r["weight"] > 0 for r in cyber["rules"])
    reader = token_for("reader")  # the public reader has no horizon.read
    assert client.get("/api/horizon/taxonomy", headers=reader).status_code == 403
    assert client.get("/api/horizon/taxonomy").status_code == 401
