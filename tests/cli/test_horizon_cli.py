"""``grandstrategy horizon`` as an analyst runs it, each test on a fresh SQLite database.

Covers every command (ingest, search, show, label, train, eval, stats, taxonomy), the report
of a batch with broken files, and a batch killed with SIGKILL and run again.
"""

from __future__ import annotations

import calendar
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest

from grandstrategy.cli.main import main
from grandstrategy.horizon.classify import engine, evaluate
from tests.helpers import NEWS, TAXONOMY_IDS

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Harbour Watch</title><link>https://example.org/</link>
<description>Port news</description>
<item><title>Cocaine seized in Antwerp</title><link>https://example.org/1</link>
<pubDate>Tue, 04 Mar 2025 10:00:00 GMT</pubDate>
<description>Customs seized four tonnes of cocaine hidden in banana containers in the port
of Antwerp; a criminal gang is suspected.</description></item>
<item><title>Drone sightings over the naval base</title><link>https://example.org/2</link>
<pubDate>Wed, 05 Mar 2025 10:00:00 GMT</pubDate>
<description>Unidentified drones flew over the naval base of Zeebrugge for the third night
in a row.</description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Energy Desk</title>
<id>urn:energy-desk</id><updated>2025-03-06T09:00:00Z</updated>
<entry><title>Gas supplies cut to pressure Moldova</title><id>urn:energy-desk:1</id>
<updated>2025-03-06T09:00:00Z</updated><link href="https://example.org/gas"/>
<summary>Gazprom halted gas deliveries to Moldova in what the government calls energy
blackmail ahead of the vote.</summary></entry>
</feed>
"""


@pytest.fixture
def gs(tmp_path, capsys, monkeypatch):
    """Run ``grandstrategy --db <fresh sqlite> ...`` in-process: (exit code, stdout, stderr)."""
    url = f"sqlite:///{tmp_path / 'horizon.db'}"
    monkeypatch.setenv("GRANDSTRATEGY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRANDSTRATEGY_NO_EMBED", "1")  # fast and the same on every machine
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps at 80 columns when not on a terminal

    def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        with pytest.raises(SystemExit) as exc:
            main(["--db", url, *map(str, args)])
        out, err = capsys.readouterr()
        return int(exc.value.code or 0), out, err

    def ok_json(*args: str) -> object:
        code, out, err = run(*args, "--json")
        assert code == 0, err
        return json.loads(out)

    run.url = url  # type: ignore[attr-defined]
    run.db = tmp_path / "horizon.db"  # type: ignore[attr-defined]
    run.json = ok_json  # type: ignore[attr-defined]
    assert run("db", "upgrade")[0] == 0
    # The classifier is cached per database; start and end with an empty cache all the same.
    engine._cache.clear()
    yield run
    engine._cache.clear()


@pytest.fixture
def news(tmp_path) -> Path:
    folder = tmp_path / "news"
    folder.mkdir()
    for name, text in NEWS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def db_rows(gs, sql: str, *params) -> list[tuple]:
    con = sqlite3.connect(gs.db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def add_user(gs, name: str, role: str, clearance: str, *compartments: str) -> None:
    args = ["users", "add", name, "--role", role, "--clearance", clearance, "--password-stdin"]
    for c in compartments:
        args += ["--compartment", c]
    code, _, err = gs(*args, stdin="a long password\n")
    assert code == 0, err


# --- ingest --------------------------------------------------------------------------------


def test_ingest_a_folder_then_again_counts_duplicates(gs, news):
    code, out, err = gs("horizon", "ingest", news, "--source", "press review")
    assert code == 0, err
    assert "ingested 3 document(s)" in out and "0 duplicate(s), 0 failed" in out
    again = gs.json("horizon", "ingest", news, "--source", "press review")
    assert again["ingested"] == 0 and again["duplicates"] == 3 and again["failed"] == []
    docs = gs.json("horizon", "stats")
    assert docs["documents"] == 3 and docs["sources"] == {"press review": 3}
    titles = {t for (t,) in db_rows(gs, "select title from horizon_documents")}
    # html: the page's main text and title, not its navigation or footer
    assert titles == {
        "Undersea cable cut near Zeebrugge",
        "Floods in Wallonia",
        "Ransomware at hospital",
    }
    (html_text,) = db_rows(gs, "select text from horizon_documents where origin like '%.html'")[0]
    assert "ransomware attack paralysed" in html_text and "Home | News" not in html_text


def test_ingest_jsonl_keeps_labels_dates_sources_and_markings(gs, tmp_path):
    bulk = write_jsonl(
        tmp_path / "bulk.jsonl",
        [
            {
                "title": "Election meddling inquiry",
                "text": "A parliamentary inquiry found that a foreign intelligence service paid "
                "local politicians to steer the vote.",
                "date": "2025-02-03",
                "url": "https://example.org/meddling",
                "language": "en",
                "source": "Le Soir",
                "marking": "RESTRICTED",
                "labels": ["subversion"],
            },
            {
                "title": "Crue de la Meuse",
                "text": "La Meuse est sortie de son lit après des pluies diluviennes; les "
                "climatologues y voient un effet du réchauffement climatique.",
                "date": "2024-07-15",
                "language": "fr",
            },
        ],
    )
    report = gs.json("horizon", "ingest", bulk, "--source", "wire")
    assert report["ingested"] == 2 and report["failed"] == []
    rows = db_rows(gs, "select id, title from horizon_documents order by id")
    ids = {title: i for i, title in rows}
    meddling = gs.json("horizon", "show", ids["Election meddling inquiry"])
    s = meddling["summary"]
    assert s["source"] == "Le Soir"  # the record's own source wins over --source
    assert s["published"] == "2025-02-03" and s["language"] == "en"
    assert s["marking"] == "RESTRICTED"
    assert meddling["given_labels"] == ["subversion"]
    assert meddling["url"] == "https://example.org/meddling"
    crue = gs.json("horizon", "show", ids["Crue de la Meuse"])
    assert crue["summary"]["source"] == "wire" and crue["summary"]["language"] == "fr"
    assert crue["summary"]["marking"] == "UNCLASSIFIED"
    assert "climate" in [c for c, _ in crue["summary"]["categories"]]


def test_ingest_feeds_and_forced_formats(gs, tmp_path):
    (tmp_path / "harbour.rss").write_text(RSS, "utf-8")
    (tmp_path / "energy.xml").write_text(ATOM, "utf-8")
    report = gs.json("horizon", "ingest", tmp_path / "harbour.rss", tmp_path / "energy.xml")
    assert report["ingested"] == 3 and report["failed"] == []
    rows = db_rows(
        gs,
        "select d.title, d.published, d.url, s.name from horizon_documents d "
        "join horizon_sources s on s.id = d.source_id order by d.id",
    )
    assert rows == [
        ("Cocaine seized in Antwerp", "2025-03-04", "https://example.org/1", "Harbour Watch"),
        (
            "Drone sightings over the naval base",
            "2025-03-05",
            "https://example.org/2",
            "Harbour Watch",
        ),
        (
            "Gas supplies cut to pressure Moldova",
            "2025-03-06",
            "https://example.org/gas",
            "Energy Desk",
        ),
    ]
    # --format overrides the extension: the same feed saved as .txt is read entry by entry,
    # and JSONL saved as .txt is read line by line.
    (tmp_path / "feed.txt").write_text(RSS.replace("four tonnes", "five tonnes"), "utf-8")
    assert gs.json("horizon", "ingest", tmp_path / "feed.txt", "--format", "feed")["ingested"] == 1
    lines = write_jsonl(
        tmp_path / "lines.txt",
        [{"title": f"Line {i}", "text": f"Bulletin {i} on port security."} for i in range(3)],
    )
    assert gs.json("horizon", "ingest", lines, "--format", "jsonl")["ingested"] == 3
    code, _, err = gs("horizon", "ingest", lines, "--format", "word")
    assert code == 1 and "unknown format 'word'" in err


def test_broken_inputs_fail_alone_with_a_reason(gs, tmp_path, monkeypatch):
    monkeypatch.setenv("GRANDSTRATEGY_MAX_UPLOAD_BYTES", "4000")
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    (folder / "latin1.txt").write_bytes("Crise énergétique: le café coûte cher".encode("latin-1"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "huge.txt").write_text("Terror plot. " * 400)  # 5,200 bytes > 4,000
    (folder / "good.txt").write_text(
        "Terrorists planned an attack on the Brussels metro, police said after arrests."
    )
    write_jsonl(
        folder / "mixed.jsonl",
        [{"title": "Fine", "text": "Floods hit the coast after the storm."}, {"title": "No text"}],
    )
    report = gs.json("horizon", "ingest", folder)
    assert report["ingested"] == 2  # good.txt and the good line of mixed.jsonl
    reasons = {Path(origin).name: why for origin, why in report["failed"]}
    assert set(reasons) == {"broken.pdf", "latin1.txt", "empty.txt", "huge.txt", "mixed.jsonl:2"}
    assert "PDF" in reasons["broken.pdf"]
    assert "UTF-8" in reasons["latin1.txt"] and "position" in reasons["latin1.txt"]
    assert "empty" in reasons["empty.txt"]
    assert "size limit" in reasons["huge.txt"]
    assert "'text' is missing" in reasons["mixed.jsonl:2"]
    assert db_rows(gs, "select count(*) from horizon_documents") == [(2,)]
    # the human report names each failure and its reason too
    code, out, _ = gs("horizon", "ingest", folder)
    assert code == 0 and "ingested 0 document(s) (0 passages), 2 duplicate(s), 5 failed" in out
    assert "Failed" in out and "size limit" in out and "broken.pdf" in out


def test_marking_above_the_users_clearance_is_refused(gs, news):
    add_user(gs, "ana", "analyst", "RESTRICTED")
    code, _, err = gs("--as", "ana", "horizon", "ingest", news, "--marking", "SECRET")
    assert code == 1 and "above your clearance" in err
    assert db_rows(gs, "select count(*) from horizon_documents") == [(0,)]


# --- search, show, stats, taxonomy -----------------------------------------------------------


@pytest.fixture
def corpus(gs, tmp_path):
    records = [
        {
            "title": "Cable sabotage in the North Sea",
            "text": "A data cable on the seabed off Zeebrugge was cut. Investigators suspect "
            "sabotage by a vessel linked to Russia.",
            "date": "2025-01-10",
            "language": "en",
        },
        {
            "title": "Second cable incident",
            "text": "Another undersea cable near the Dutch coast was damaged by a ship's anchor "
            "dragged along the seabed; the navy is investigating the sabotage.",
            "date": "2025-03-20",
            "language": "en",
        },
        {
            "title": "Ransomware hits Antwerp hospital",
            "text": "A ransomware attack paralysed the computer systems of a hospital in Antwerp "
            "and hackers demanded a ransom; the cable television service was not affected.",
            "date": "2025-02-14",
            "language": "en",
        },
        {
            "title": "Secret cable assessment",
            "text": "Assessment of undersea cable vulnerabilities and suspected sabotage near "
            "the Belgian wind farms.",
            "date": "2025-02-01",
            "language": "en",
            "marking": "CONFIDENTIAL",
        },
    ]
    report = gs.json("horizon", "ingest", write_jsonl(tmp_path / "c.jsonl", records))
    assert report["ingested"] == 4
    return {t: i for i, t in db_rows(gs, "select id, title from horizon_documents")}


def test_search_cites_document_passage_and_offsets(gs, corpus):
    r = gs.json("horizon", "search", "cable sabotage")
    assert r["total"] == 3 and r["marking"] == "CONFIDENTIAL"  # the operator sees everything
    texts = dict(db_rows(gs, "select id, text from horizon_documents"))
    for hit in r["hits"]:
        passage = db_rows(gs, "select text from horizon_passages where id = ?", hit["passage_id"])
        assert texts[hit["document_id"]][hit["start"] : hit["end"]] == passage[0][0]
        assert hit["citation"] == (
            f"doc {hit['document_id']} ¶{hit['seq'] + 1} [{hit['start']}:{hit['end']}]"
        )
        assert "cable" in {hit["snippet"][a:b].lower() for a, b in hit["matches"]}
        assert "<" not in hit["snippet"] and "&" not in hit["snippet"]  # plain text
        assert "matched" in hit["why"]
    code, out, _ = gs("horizon", "search", "ransomware")
    assert code == 0 and "1 passage(s) match" in out
    assert "Ransomware hits Antwerp hospital" in out and "ransomware" in out.lower()
    assert f"doc {corpus['Ransomware hits Antwerp hospital']} ¶1 [0:" in out


def test_search_filters(gs, corpus):
    def titles(*args: str) -> set[str]:
        return {h["document_title"] for h in gs.json("horizon", "search", "cable", *args)["hits"]}

    assert titles() == set(corpus)
    assert titles("--actor", "state:RU") == {"Cable sabotage in the North Sea"}
    assert titles("--since", "2025-02-01", "--until", "2025-02-28") == {
        "Ransomware hits Antwerp hospital",
        "Secret cable assessment",
    }
    cyber = titles("--category", "cyber")
    assert cyber == {"Ransomware hits Antwerp hospital"}
    facets = gs.json("horizon", "search", "cable")["facets"]
    assert dict(facets["category"])["cyber"] == 1
    code, _, err = gs("horizon", "search", "--", "-cable")
    assert code == 1 and "no words to look for" in err
    code, _, err = gs("horizon", "search", "cable", "--since", "last week")
    assert code != 0 and "does not match the formats '%Y-%m-%d'" in err


def test_a_low_clearance_user_never_learns_of_the_confidential_document(gs, corpus):
    add_user(gs, "ulla", "analyst", "UNCLASSIFIED")
    r = gs.json("--as", "ulla", "horizon", "search", "cable")
    assert r["total"] == 3 and r["marking"] == "UNCLASSIFIED"
    assert "Secret cable assessment" not in json.dumps(r)
    assert sum(n for _, n in r["facets"]["language"]) == 3
    stats = gs.json("--as", "ulla", "horizon", "stats")
    assert stats["documents"] == 3
    code, out, err = gs("--as", "ulla", "horizon", "show", corpus["Secret cable assessment"])
    assert code == 1 and "not found" in err and "Secret" not in out + err
    assert gs.json("horizon", "stats")["documents"] == 4


def test_show_prints_passages_with_offsets_labels_and_actors(gs, corpus):
    doc_id = corpus["Cable sabotage in the North Sea"]
    code, out, err = gs("horizon", "show", doc_id)
    assert code == 0, err
    assert "Cable sabotage in the North Sea (UNCLASSIFIED)" in out and "2025-01-10" in out
    assert "Russia" in out
    (pid, start, end) = db_rows(
        gs, "select id, start, end from horizon_passages where document_id = ?", doc_id
    )[0]
    assert f"¶1 (passage {pid}, [{start}:{end}]) hybrid" in out
    view = gs.json("horizon", "show", doc_id)
    p = view["passages"][0]
    hybrid = next(lb for lb in p["labels"] if lb["category"] == "hybrid")
    assert any(t[0].startswith("sabotage") for t in hybrid["terms"])  # the rule terms it matched
    assert any(m[0] == "state:RU" and p["text"][m[2] : m[3]] == "Russia" for m in p["mentions"])
    code, _, err = gs("horizon", "show", "9999")
    assert code == 1 and "document 9999 not found" in err


def test_stats_and_taxonomy(gs, corpus):
    stats = gs.json("horizon", "stats")
    assert stats["documents"] == 4 and stats["passages"] == 4 and stats["model"] is None
    assert stats["languages"] == {"en": 4} and stats["categories"]["hybrid"] >= 2
    assert ["state:RU", "Russia", 1] in stats["actors"]
    code, out, _ = gs("horizon", "stats")
    assert code == 0 and "4 documents, 4 passages; model none (rules only)" in out
    tax = gs.json("horizon", "taxonomy")
    assert {c["id"] for c in tax["categories"]} == set(TAXONOMY_IDS)
    cyber = next(c for c in tax["categories"] if c["id"] == "cyber")
    assert cyber["description"] and cyber["interests"] and cyber["rules"]
    code, out, _ = gs("horizon", "taxonomy")
    assert code == 0 and "Cyber attacks" in out and "crime-extremism" in out


# --- label, train, eval --------------------------------------------------------------------


def test_label_confirm_and_reject_are_stored_with_who_and_when(gs, corpus):
    add_user(gs, "vera", "analyst", "SECRET")
    doc_id = corpus["Cable sabotage in the North Sea"]
    ((pid,),) = db_rows(gs, "select id from horizon_passages where document_id = ?", doc_id)
    before = time.time()
    code, out, err = gs("--as", "vera", "horizon", "label", pid, "hybrid")
    assert code == 0 and "hybrid confirmed" in out, err
    code, out, err = gs(
        "--as", "vera", "horizon", "label", pid, "aggression", "--verdict", "reject", "--note", "x"
    )
    assert code == 0 and "aggression rejected" in out, err
    rows = db_rows(gs, "select category, verdict, actor, at, note from horizon_feedback")
    assert [(c, v, a) for c, v, a, _, _ in rows] == [
        ("hybrid", "confirm", "vera"),
        ("aggression", "reject", "vera"),
    ]
    for *_, at, _ in rows:  # stored in UTC
        stamp = calendar.timegm(time.strptime(at[:19], "%Y-%m-%d %H:%M:%S"))
        assert before - 5 <= stamp <= time.time() + 5
    assert rows[1][4] == "x"
    verdicts = {
        lb["category"]: lb["verdict"]
        for lb in gs.json("horizon", "show", doc_id)["passages"][0]["labels"]
    }
    assert verdicts["hybrid"] == "confirm" and verdicts["aggression"] == "reject"
    # refused: unknown category, unknown verdict, unknown passage, a role that may not label
    assert "unknown category" in gs("horizon", "label", pid, "weather")[2]
    assert "verdict must be one of" in gs("horizon", "label", pid, "hybrid", "--verdict", "meh")[2]
    assert "passage 9999 not found" in gs("horizon", "label", "9999", "hybrid")[2]
    add_user(gs, "carl", "council-member", "SECRET")
    code, _, err = gs("--as", "carl", "horizon", "label", pid, "hybrid")
    assert code == 1 and "does not allow horizon.label" in err
    assert len(db_rows(gs, "select id from horizon_feedback")) == 2


NONSENSE = [
    "quorvex",
    "blimdra",
    "snarpel",
    "tokkuvi",
    "drelmask",
    "pibbrond",
    "gorzimu",
    "wastrelk",
]


def test_verdicts_change_the_next_training(gs, tmp_path):
    """Passages about something the starter set never saw are confirmed as a health matter;
    after ``train``, similar passages are classified as health."""
    docs = [
        {
            "title": f"Harvest note {i}",
            "text": f"The {w} quorvex blimdra harvest at the snarpel depot is "
            f"{['late', 'early', 'small', 'large', 'odd', 'fine', 'poor', 'rich'][i]} this "
            "season, traders in tokkuvi said.",
            "language": "en",
        }
        for i, w in enumerate(NONSENSE)
    ]
    assert gs.json("horizon", "ingest", write_jsonl(tmp_path / "n.jsonl", docs))["ingested"] == 8
    probe = write_jsonl(
        tmp_path / "probe.jsonl",
        [
            {
                "text": "Quorvex blimdra stocks at the snarpel depot fell, traders said.",
                "labels": ["health"],
            },
            {
                "text": "Traders in tokkuvi expect a poor blimdra harvest at the snarpel depot.",
                "labels": ["health"],
            },
        ],
    )

    def health(report: dict) -> dict:
        return next(c for c in report["categories"] if c["category"] == "health")

    assert health(gs.json("horizon", "eval", probe))["recall"] == 0.0
    for (pid,) in db_rows(gs, "select id from horizon_passages"):
        assert gs("horizon", "label", pid, "health")[0] == 0
    # --no-tune: the cross-validated tuning is the engine's business and takes far longer
    code, out, err = gs("horizon", "train", "--no-tune")
    assert code == 0, err
    m = re.search(r"model (\d+): (\d+) examples \((\d+) from verdicts\).*macro-F1 ([\d.]+)", out)
    assert m, out
    model_id, n_examples, n_feedback, macro = int(m[1]), int(m[2]), int(m[3]), float(m[4])
    assert n_feedback == 8 and n_examples == len(evaluate.load_starter("train")) + 8
    assert 0.3 < macro <= 1.0
    assert gs.json("horizon", "stats")["model"] == model_id
    after = health(gs.json("horizon", "eval", probe))
    assert after["recall"] == 1.0 and after["precision"] == 1.0


def test_eval_scores_per_category_language_and_confusion(gs, tmp_path):
    labelled = write_jsonl(
        tmp_path / "labels.jsonl",
        [
            {
                "text": "A ransomware attack paralysed the computer systems of a ministry; "
                "hackers demanded a ransom in bitcoin.",
                "labels": ["cyber"],
                "language": "en",
            },
            {
                "text": "Police seized two tonnes of cocaine smuggled through the port of "
                "Antwerp by a criminal gang.",
                "labels": ["terrorism"],  # deliberately wrong gold: a confusion to report
                "language": "en",
            },
            {
                "text": "Les inondations dans la vallée de la Meuse montrent les effets du "
                "changement climatique, selon les climatologues.",
                "labels": ["climate"],
                "language": "fr",
            },
            {
                "text": "The orchestra gave a concert in the town hall on Sunday evening.",
                "labels": ["none"],
                "language": "en",
            },
        ],
    )
    r = gs.json("horizon", "eval", labelled)
    assert r["n"] == 4
    cats = {c["category"]: c for c in r["categories"]}
    assert set(cats) == set(TAXONOMY_IDS)
    assert cats["cyber"] == {
        "category": "cyber",
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "support": 1,
        "predicted": 1,
    }
    assert cats["terrorism"]["support"] == 1 and cats["terrorism"]["recall"] == 0.0
    assert cats["crime-extremism"]["predicted"] == 1 and cats["crime-extremism"]["precision"] == 0
    assert r["macro_f1"] == pytest.approx(0.75)  # cyber 1, terrorism 0, climate 1, none 1
    assert r["micro_f1"] == pytest.approx(0.75)  # 3 right, 1 wrong, 1 missed
    assert set(r["per_language"]) == {"en", "fr"}
    assert r["per_language"]["en"]["n"] == 3
    assert r["per_language"]["en"]["macro_f1"] == pytest.approx(2 / 3)
    assert r["per_language"]["fr"]["macro_f1"] == 1.0
    assert r["confusions"] == [["terrorism", "crime-extremism", 1]]
    code, out, _ = gs("horizon", "eval", labelled)
    assert code == 0
    assert "macro-F1 0.750" in out and "micro-F1 0.750" in out
    assert "en macro 0.667" in out and "fr macro 1.000" in out
    assert "terrorism → crime-extremism: 1" in out
    # eval trains nothing
    assert gs.json("horizon", "stats")["model"] is None


def test_eval_of_a_bad_file_names_the_line(gs, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine", "labels": ["cyber"]}\n{"text": "x", "labels": "cyber"}\n')
    code, _, err = gs("horizon", "eval", bad)
    assert code != 0 and "line 2" in err and "'labels'" in err
    assert "GRANDSTRATEGY_DEBUG" not in err  # a mistake in the input, not a crash
    code, _, err = gs("horizon", "eval", tmp_path / "missing.jsonl")
    assert code != 0 and "missing.jsonl" in err and "GRANDSTRATEGY_DEBUG" not in err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("horizon", "search"), "Missing argument"),
        (("horizon", "search", "cyber", "--bogus"), "No such option: --bogus"),
        (("horizon", "search", "cyber", "--since", "soon"), "Invalid value for '--since'"),
        (("horizon", "nosuch"), "No such command"),
    ],
)
def test_usage_errors_show_the_usage_and_exit_2(gs, args, says):
    code, _, err = gs(*args)
    assert code == 2
    assert "Usage: grandstrategy horizon" in err and says in err
    assert "error:" not in err and "GRANDSTRATEGY_DEBUG" not in err


# --- kill -9 and resume ----------------------------------------------------------------------


def _cli() -> list[str]:
    """The installed console script (``[project.scripts] grandstrategy``), else the module."""
    script = Path(sys.executable).with_name("grandstrategy")
    return [str(script)] if script.exists() else [sys.executable, "-m", "grandstrategy.cli.main"]


def _assert_only_whole_documents(db: Path) -> int:
    """Every stored document has its passages (contiguous, offsets into its text, each
    labelled and indexed); returns the number of documents."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("pragma integrity_check").fetchone() == ("ok",)
        docs = dict(con.execute("select id, text from horizon_documents"))
        passages: dict[int, list[tuple]] = {}
        for row in con.execute(
            "select document_id, seq, start, end, text, id from horizon_passages order by seq"
        ):
            passages.setdefault(row[0], []).append(row[1:])
        assert set(passages) == set(docs), "a passage without its document or the reverse"
        for doc_id, text in docs.items():
            ps = passages[doc_id]
            assert [p[0] for p in ps] == list(range(len(ps)))
            for _, start, end, ptext, _ in ps:
                assert 0 <= start < end <= len(text) and text[start:end] == ptext
        unlabelled = con.execute(
            "select count(*) from horizon_passages p where not exists "
            "(select 1 from horizon_labels l where l.passage_id = p.id)"
        ).fetchone()[0]
        assert unlabelled == 0
        con.execute("insert into horizon_fts(horizon_fts) values ('integrity-check')")
        hashes = con.execute("select count(distinct content_hash) from horizon_documents")
        assert hashes.fetchone()[0] == len(docs)
        return len(docs)
    finally:
        con.close()


def test_a_batch_killed_with_sigkill_resumes_without_partial_or_duplicate_documents(gs, tmp_path):
    topics = [
        "drug trafficking through the port of Antwerp",
        "a ransomware attack on a ministry",
        "floods along the Meuse",
        "disinformation about the elections",
        "a cable cut in the North Sea",
    ]
    records = [
        {
            "title": f"Bulletin {i}",
            "text": f"Bulletin {i}: a report on {topics[i % 5]}.\n\nFollow-up note {i} for the "
            f"secretariat, with the figures of week {i % 52}.",
            "language": "en",
        }
        for i in range(1900)
    ]
    records += records[::19]  # 100 exact repeats inside the batch
    n_lines, distinct = len(records), 1900
    bulk = write_jsonl(tmp_path / "bulk.jsonl", records)
    env = {**os.environ, "GRANDSTRATEGY_DATA_DIR": str(tmp_path), "GRANDSTRATEGY_NO_EMBED": "1"}
    cmd = [*_cli(), "--db", gs.url, "horizon", "ingest", str(bulk), "--json"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stored, deadline = 0, time.monotonic() + 60
    try:
        while stored < 150 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
            con = sqlite3.connect(gs.db, timeout=5)
            try:
                stored = con.execute("select count(*) from horizon_documents").fetchone()[0]
            finally:
                con.close()
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL, f"not killed mid-batch: {stderr.decode()}"
    kept = _assert_only_whole_documents(gs.db)
    assert 150 <= kept < distinct, "the kill must land in the middle of the batch"

    code, out, err = gs("horizon", "ingest", bulk, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["failed"] == []
    assert report["ingested"] == distinct - kept
    assert report["duplicates"] == n_lines - distinct + kept
    assert _assert_only_whole_documents(gs.db) == distinct
    titles = {t for (t,) in db_rows(gs, "select title from horizon_documents")}
    assert titles == {f"Bulletin {i}" for i in range(distinct)}
    # the audit chain survived the kill: one event per stored document, still verifiable
    assert gs("audit", "verify")[0] == 0
    events = db_rows(gs, "select count(*) from audit_events where action = 'horizon.ingest'")
    assert events == [(distinct,)]


def test_the_command_line_forks_its_workers_and_stores_what_they_prepared(gs, tmp_path):
    """``horizon ingest`` draws its progress bar without a thread of its own, so its workers
    are forked with the model already loaded (``ingest/workers.py``); what they prepared is
    stored whole and labelled as in one process."""
    records = [
        {
            "title": f"Note {i}",
            "text": f"Note {i}: a ransomware attack on the hospital of town {i}.\n\n"
            f"The police closed the port of Antwerp after drone flights, day {i % 28}.",
            "language": "en",
        }
        for i in range(300)
    ]
    bulk = write_jsonl(tmp_path / "bulk.jsonl", records)
    env = {**os.environ, "GRANDSTRATEGY_DATA_DIR": str(tmp_path), "GRANDSTRATEGY_NO_EMBED": "1"}
    cmd = [*_cli(), "--db", gs.url, "horizon", "ingest", str(bulk), "--workers", "1", "--json"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["workers"] == 1 and report["worker_start"] == "fork"
    assert report["ingested"] == 300 and report["failed"] == []
    assert _assert_only_whole_documents(gs.db) == 300
    cyber = db_rows(
        gs, "select count(distinct document_id) from horizon_labels where category = 'cyber'"
    )
    assert cyber == [(300,)]


# --- first run ---------------------------------------------------------------------------------


def test_setup_trains_the_first_model_and_loads_the_example_documents_once(gs, monkeypatch):
    from functools import partial

    # Tuning the combination takes a minute; the first run's steps are the same without it.
    monkeypatch.setattr(engine, "train", partial(engine.train, tune=False))
    lines = resources.files("grandstrategy.examples") / "horizon" / "documents.jsonl"
    n_docs = sum(1 for line in lines.read_text("utf-8").splitlines() if line.strip())
    assert n_docs == 60
    # The rolling analysis example adds a short campaign and the partners' excerpts.
    folder = resources.files("grandstrategy.examples") / "horizon"
    extra = sum(
        len((folder / n).read_text("utf-8").splitlines())
        for n in ("campaign.jsonl", "partners.jsonl")
    )

    code, out, err = gs("setup")
    assert code == 0, err
    assert "trained threat classifier (model 1" in out
    assert f"loaded {n_docs} illustrative documents into horizon" in out
    stats = gs.json("horizon", "stats")
    assert stats["documents"] == n_docs + extra and stats["model"] is not None
    assert db_rows(gs, "select count(*) from horizon_models") == [(1,)]
    titles = db_rows(gs, "select count(distinct title) from horizon_documents")
    assert titles == [(n_docs + extra,)]

    code, out, err = gs("setup")
    assert code == 0, err
    assert "trained" not in out and "illustrative documents" not in out
    assert "created user" not in out
    assert db_rows(gs, "select count(*) from horizon_models") == [(1,)]
    assert db_rows(gs, "select count(*) from horizon_documents") == [(n_docs + extra,)]
    assert gs("audit", "verify")[0] == 0
