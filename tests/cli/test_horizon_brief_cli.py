"""``grandstrategy horizon brief|briefs|assess|assessments|partners compare`` on a fresh
SQLite database, as a SECRET operator and as an UNCLASSIFIED analyst."""

from __future__ import annotations

import json

from grandstrategy.horizon.analysis_example import _path
from tests.cli.test_horizon_cli import add_user, gs, write_jsonl  # noqa: F401  (the fixture)

NEWS = [
    {
        "title": "Cable cut in the Baltic",
        "text": "A data cable between Finland and Estonia was cut on the sea floor; police "
        "suspect a merchant ship dragged its anchor across it. The navy is searching the area.",
        "date": "2026-03-02",
        "language": "en",
        "source": "wire",
    },
    {
        "title": "Ransomware at a Liège hospital",
        "text": "Ransomware encrypted the patient records of a hospital group in Liège; the "
        "malware was linked to a criminal gang. Planned operations were postponed.",
        "date": "2026-03-03",
        "language": "en",
        "source": "wire",
    },
]
SECRET = {
    "title": "Secret note on dock workers",
    "text": "Our liaison officer reports a ransomware cyber attack by a foreign intelligence "
    "service on the customs systems of the port of Antwerp. The source is sensitive.",
    "date": "2026-03-04",
    "language": "en",
    "source": "liaison",
    "marking": "SECRET",
}


def test_brief_cites_checks_freezes_and_restricts(gs, tmp_path):  # noqa: F811
    assert gs("horizon", "ingest", write_jsonl(tmp_path / "n.jsonl", NEWS))[0] == 0
    assert gs("horizon", "ingest", write_jsonl(tmp_path / "s.jsonl", [SECRET]))[0] == 0
    add_user(gs, "lowa", "analyst", "UNCLASSIFIED")

    high = tmp_path / "high.json"
    code, out, err = gs("horizon", "brief", "--since", "7d", "--format", "json", "--out", high)
    assert code == 0 and "support 100%" in out, err
    content = json.loads(high.read_text("utf-8"))
    assert content["marking"] == "SECRET" and content["support_rate"] == 1.0
    sentences = [x for sec in content["sections"] for x in sec["sentences"]]
    assert any("liaison officer" in x["text"] for x in sentences)
    for x in sentences:  # every sentence cites document, passage and offsets
        c = x["citation"]
        assert c["document_id"] and c["passage_id"] and c["end"] > c["start"]

    code, out, err = gs("--as", "lowa", "horizon", "brief", "--since", "7d", "--format", "md")
    assert code == 0, err
    assert "UNCLASSIFIED" in out and "[doc " in out and "Support: 100 %" in out
    assert "liaison" not in out and "SECRET" not in out
    low_briefs = gs.json("--as", "lowa", "horizon", "briefs")
    assert [b["marking"] for b in low_briefs] == ["UNCLASSIFIED"]  # not the operator's
    assert len(gs.json("horizon", "briefs")) == 2

    docx = tmp_path / "b.docx"
    assert gs("horizon", "brief", "--format", "docx", "--out", docx, "--draft")[0] == 0
    assert docx.read_bytes()[:2] == b"PK" and len(gs.json("horizon", "briefs")) == 2
    code, _out, err = gs("horizon", "brief", "--format", "pdf")
    assert code == 2 and "--out" in err
    code, _out, err = gs("horizon", "brief", "--format", "odt", "--out", tmp_path / "b.odt")
    assert code == 2 and "--format" in err
    code, _out, err = gs("--lang", "fr", "horizon", "brief", "--format", "pdf")
    assert code == 2 and "pdf demande --out" in err
    code, _out, err = gs("--lang", "de", "horizon", "alerts", "--kind", "storm")
    assert code == 2 and "wählen Sie burst" in err
    code, _out, err = gs("horizon", "brief", "--since", "soon")
    assert code == 1 and "--since" in err
    code, _out, err = gs("horizon", "brief", "--category", "weather")
    assert code == 1 and "weather" in err


def test_assessments_that_differ_and_what_a_low_reader_sees(gs):  # noqa: F811
    add_user(gs, "lowb", "analyst", "UNCLASSIFIED")
    base = ["horizon", "assess", "--date", "2026-10-01", "--threat", "hybrid"]
    code, out, err = gs(
        *base,
        "--issuer",
        "Allied service",
        "--confidence",
        "high",
        "--judgement",
        "Cable sabotage is highly likely to intensify.",
        "--marking",
        "RESTRICTED",
    )
    assert code == 0 and "RESTRICTED" in out, err
    assert (
        gs(
            *base,
            "--issuer",
            "Think tank",
            "--confidence",
            "low",
            "--judgement",
            "Most cable damage is accidental.",
        )[0]
        == 0
    )
    both = gs.json("horizon", "assessments", "--threat", "hybrid")
    assert {(a["issuer"], a["confidence"]) for a in both} == {
        ("Allied service", "high"),
        ("Think tank", "low"),
    }
    code, out, _err = gs("horizon", "assessments")
    assert "Allied service" in out and "Think tank" in out
    low = gs.json("--as", "lowb", "horizon", "assessments", "--threat", "hybrid")
    assert [a["issuer"] for a in low] == ["Think tank"]
    code, _out, err = gs(*base[:2], "--issuer", "X", "--date", "2026-10-01", "--threat",
                         "weather", "--confidence", "high", "--judgement", "J.")  # fmt: skip
    assert code == 1 and "weather" in err
    code, _out, err = gs(*base, "--issuer", "X", "--confidence", "sure", "--judgement", "J.")
    assert code == 1 and "confidence" in err


def test_partners_compared_and_a_hidden_partner_passage(gs, tmp_path):  # noqa: F811
    assert gs("horizon", "ingest", _path("partners.jsonl"))[0] == 0
    hidden = {
        "title": "Secret annex",
        "text": "The armed attack we fear most would come from Iran against our bases.",
        "date": "2026-07-01",
        "language": "en",
        "source": "partner:Canada",
        "marking": "SECRET",
    }
    assert gs("horizon", "ingest", write_jsonl(tmp_path / "annex.jsonl", [hidden]))[0] == 0
    add_user(gs, "lowc", "analyst", "UNCLASSIFIED")
    high = gs.json("horizon", "partners", "compare")
    names = {p["partner"] for p in high["profiles"]}
    assert {"NATO", "EU", "Japan", "South Korea", "Canada"} <= names
    pair = next(
        x
        for x in high["pairs"]
        if {x["a"], x["b"]} == {"Japan", "NATO"} and x["category"] == "aggression"
    )
    assert pair["different"]
    low = gs.json("--as", "lowc", "horizon", "partners", "compare")
    assert "Canada" not in {p["partner"] for p in low["profiles"]}
    assert "Iran" not in json.dumps(low) and low["marking"] == "UNCLASSIFIED"
    assert [p for p in low["profiles"] if p["partner"] == "NATO"] == [
        p for p in high["profiles"] if p["partner"] == "NATO"
    ]  # NATO's figures do not move with a hidden partner's passage
    code, out, err = gs("horizon", "partners", "compare")
    assert code == 0 and "Region lens" in out and "different" in out, err
    assert gs.json("horizon", "stories") == []  # strategies are not news


def test_brief_sections_are_the_strategys_watched_threats(gs, tmp_path):  # noqa: F811
    from grandstrategy.strategy.package import write_package
    from tests.helpers import NATO_TITLE, small_package

    write_package(small_package(), tmp_path / "pkg")
    assert gs("strategy", "import", tmp_path / "pkg")[0] == 0
    assert gs("horizon", "ingest", write_jsonl(tmp_path / "n.jsonl", NEWS))[0] == 0
    assert gs("horizon", "watch", "set", "invasion", "--term", "cable")[0] == 0
    args = ["horizon", "watch", "set", "nato-tripwire", "--term", "navy", "--term", "anchor"]
    assert gs(*args, "--marking", "RESTRICTED//NATO")[0] == 0
    add_user(gs, "lowt", "analyst", "UNCLASSIFIED")

    high = tmp_path / "high.json"
    assert gs("horizon", "brief", "--format", "json", "--out", high, "--draft")[0] == 0
    sections = json.loads(high.read_text("utf-8"))["sections"]
    nato = next(sec for sec in sections if sec["threat"] == "nato-tripwire")
    assert nato["title"] == NATO_TITLE and "cable" in nato["sentences"][0]["text"]
    assert any(sec["threat"] is None for sec in sections)  # the ransomware: other signals

    low = tmp_path / "low.json"
    assert gs("--as", "lowt", "horizon", "brief", "--format", "json", "--out", low)[0] == 0
    text = low.read_text("utf-8")
    assert NATO_TITLE not in text and "nato-tripwire" not in text
    assert json.loads(text)["sections"][0]["threat"] == "invasion"
    code, out, err = gs("--as", "lowt", "--lang", "fr", "horizon", "brief", "--draft")
    assert code == 0 and "## Armed aggression (invasion)" in out, err
    assert "autres signaux" in out and "Étayage" in out
