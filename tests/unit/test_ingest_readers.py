"""Ingest readers, passage splitting and language detection.

Every fixture is built inside the test (PDFs with WeasyPrint, DOCX with python-docx), so no
binary files live in the repository and each case shows exactly what it feeds the reader.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import random
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grandstrategy.horizon.ingest.language import detect_language, detect_many
from grandstrategy.horizon.ingest.passages import split_passages
from grandstrategy.horizon.ingest.readers import (
    FORMATS,
    RawDocument,
    ReadFailure,
    normalise_text,
    read_bytes,
    read_path,
)

ARTICLE = [
    "Critical undersea infrastructure in the North Sea has become a target of hybrid "
    "activity. Cables and pipelines linking Belgium, the Netherlands and the United Kingdom "
    "carry most of the region's data traffic and a large share of its gas.",
    "Analysts describe a pattern of unexplained damage, survey vessels loitering above cable "
    "routes and intrusions into the networks of the operators that maintain them. Each "
    "incident can be denied on its own; taken together they look like preparation.",
    "Governments are answering with joint patrols, seabed sensors and rules that oblige "
    "operators to report incidents within hours instead of weeks.",
]

PAGE = f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Hybrid threats at sea | Example Institute</title>
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
<meta property="og:site_name" content="Example Institute">
<link rel="canonical" href="https://example.org/analysis/hybrid-threats">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/topics">Topics</a></li>
<li><a href="/subscribe">Subscribe to our newsletter</a></li></ul></nav>
<div class="banner">We use cookies to improve your experience. Accept all cookies.</div>
<main><article>
<h1>Hybrid threats are rising in the North Sea</h1>
{"".join(f"<p>{p}</p>" for p in ARTICLE)}
</article></main>
<footer><p>Copyright Example Institute. All rights reserved. Privacy policy.</p></footer>
</body></html>
"""

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Defence Monitor</title><link>https://monitor.example</link>
<description>News</description>
<item>
  <title>Drone swarm trial &amp; results</title>
  <link>https://monitor.example/1</link>
  <pubDate>Tue, 05 Mar 2024 10:00:00 GMT</pubDate>
  <description>&lt;p&gt;A &lt;b&gt;drone swarm&lt;/b&gt; was tested.&lt;/p&gt;
  &lt;p&gt;Results follow.&lt;/p&gt;</description>
</item>
<item><title>Headline only</title><link>https://monitor.example/2</link></item>
</channel></rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Resilience Notes</title><id>urn:example:feed</id>
<updated>2024-02-02T00:00:00Z</updated>
<entry>
  <title>Water supply drills</title><id>urn:example:1</id>
  <link href="https://notes.example/water"/>
  <updated>2024-02-02T08:30:00Z</updated>
  <content type="html">&lt;p&gt;Drills &amp;amp; exercises in three provinces.&lt;/p&gt;</content>
</entry>
</feed>
"""


def only(items: list[RawDocument | ReadFailure]) -> RawDocument:
    assert len(items) == 1, items
    assert isinstance(items[0], RawDocument), items[0]
    return items[0]


def failure(items: list[RawDocument | ReadFailure]) -> ReadFailure:
    assert len(items) == 1, items
    assert isinstance(items[0], ReadFailure), items[0]
    return items[0]


def pdf_bytes(html: str) -> bytes:
    weasyprint = pytest.importorskip("weasyprint")
    data: bytes = weasyprint.HTML(string=html).write_pdf()
    return data


def docx_bytes(title: str = "") -> bytes:
    import docx

    document = docx.Document()
    if title:
        document.core_properties.title = title
    document.add_heading("Threat assessment 2024", level=1)
    document.add_paragraph("Cyber attacks on hospitals doubled over the year.")
    document.add_paragraph("")
    document.add_paragraph("Energy supplies proved more robust than feared.")
    table = document.add_table(rows=2, cols=3)
    rows = [("Risk", "Likelihood", "Impact"), ("Flood", "High", "")]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- plain text and Markdown ------------------------------------------------------------------


def test_txt_is_read_as_strict_utf8_and_normalised(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Stratégie nationale de sécurité")
    body = "  \r\n\r\nLa Belgique fait face à des menaces.\t\r\n\n\n\n\n\nFin."
    raw = "\ufeff" + decomposed + body
    path = tmp_path / "nss.txt"
    path.write_bytes(raw.encode("utf-8"))

    document = only(list(read_path(path)))

    assert document.title == "Stratégie nationale de sécurité"
    assert document.text == (
        "Stratégie nationale de sécurité\n\nLa Belgique fait face à des menaces.\n\n\nFin."
    )
    assert unicodedata.is_normalized("NFC", document.text)
    assert document.origin == path.as_posix()
    assert (document.date, document.url, document.language, document.labels) == (None, "", None, [])


def test_long_first_line_title_is_trimmed(tmp_path: Path) -> None:
    path = tmp_path / "long.text"
    path.write_text("word " * 100 + "\n\nbody", encoding="utf-8")
    document = only(list(read_path(path)))
    assert len(document.title) <= 200
    assert document.title.startswith("word word")


def test_markdown_syntax_is_stripped_lightly(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "# Maritime **security** outlook\n\n"
        "Read the [full report](https://example.org/r) and ![a map](map.png).\n\n"
        "Ports are *exposed*, __very__ exposed; keep snake_case_names and `code` intact.\n\n"
        "> A quoted warning.\n",
        encoding="utf-8",
    )
    document = only(list(read_path(path)))
    assert document.title == "Maritime security outlook"
    assert document.text == (
        "Maritime security outlook\n\n"
        "Read the full report and a map.\n\n"
        "Ports are exposed, very exposed; keep snake_case_names and code intact.\n\n"
        "A quoted warning."
    )


def test_markdown_front_matter_gives_title_and_date() -> None:
    data = b"---\ntitle: Horizon scan\ndate: 2024-05-01\n---\n\nFirst line of the body.\n"
    document = only(list(read_bytes("scan.markdown", data)))
    assert (document.title, document.date) == ("Horizon scan", dt.date(2024, 5, 1))
    assert document.text == "First line of the body."


# --- HTML --------------------------------------------------------------------------------------


def test_html_keeps_the_article_and_drops_the_boilerplate(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")

    document = only(list(read_path(path)))

    for paragraph in ARTICLE:
        assert paragraph in document.text
    for boilerplate in ("Subscribe", "cookies", "Copyright", "Privacy policy", "Topics"):
        assert boilerplate not in document.text
    assert "\n\n" in document.text  # paragraphs stay paragraphs, for the passage splitter
    assert document.title == "Hybrid threats are rising in the North Sea"
    assert document.date == dt.date(2024, 3, 5)
    assert document.url == "https://example.org/analysis/hybrid-threats"
    assert document.source == "Example Institute"


def test_html_too_small_for_trafilatura_falls_back_to_plain_text() -> None:
    data = b"<html><head><title>Note</title></head><body><p>Meet at noon.</p></body></html>"
    document = only(list(read_bytes("note.htm", data)))
    assert "Meet at noon." in document.text


def test_html_without_text_fails() -> None:
    reason = failure(list(read_bytes("blank.html", b"<html><body>  </body></html>"))).reason
    assert reason == "no readable text"


# --- PDF and DOCX ------------------------------------------------------------------------------


def test_pdf_text_and_title(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(
        pdf_bytes(
            "<h1>Title</h1><p>Body text about deterrence and resilience.</p>"
            "<p style='page-break-before: always'>Second page: coalition planning.</p>"
        )
    )
    document = only(list(read_path(path)))
    assert document.title == "Title"
    assert "Body text about deterrence and resilience." in document.text
    assert "Second page: coalition planning." in document.text
    assert "\n\n" in document.text  # pages are separated by a blank line


def test_pdf_title_from_metadata() -> None:
    data = pdf_bytes("<title>Annual Threat Review</title><p>Body.</p>")
    assert only(list(read_bytes("x.pdf", data))).title == "Annual Threat Review"


def test_pdf_without_text_is_reported_as_scanned() -> None:
    data = pdf_bytes("<div style='width:5cm;height:5cm;background:black'></div>")
    assert failure(list(read_bytes("scan.pdf", data))).reason == (
        "no extractable text (scanned PDF?)"
    )


def test_corrupt_pdf_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + random.Random(1).randbytes(2000))
    reason = failure(list(read_path(path))).reason
    assert reason.startswith("not a valid PDF (")


def test_docx_paragraphs_tables_and_title() -> None:
    document = only(list(read_bytes("assessment.docx", docx_bytes())))
    assert document.title == "Threat assessment 2024"
    assert document.text == (
        "Threat assessment 2024\n\n"
        "Cyber attacks on hospitals doubled over the year.\n\n"
        "Energy supplies proved more robust than feared.\n\n"
        "Risk | Likelihood | Impact\n\n"
        "Flood | High"
    )
    assert document.date is None  # Word's "created" stamp is a template date, not trusted
    titled = only(list(read_bytes("a.docx", docx_bytes(title="Official title"))))
    assert titled.title == "Official title"


def test_not_a_docx_fails() -> None:
    assert failure(list(read_bytes("x.docx", b"plain words"))).reason == (
        "not a valid DOCX (not a ZIP package)"
    )


# --- JSONL -------------------------------------------------------------------------------------


def test_jsonl_good_lines_are_read_and_bad_lines_named(tmp_path: Path) -> None:
    good = {
        "title": "Port strike",
        "text": "Dockers in Antwerp\r\nwalked out.",
        "date": "2024-04-02T09:15:00+02:00",
        "url": "https://news.example/strike",
        "language": "nl-BE",
        "source": "Wire",
        "marking": "UNCLASSIFIED",
        "labels": ["economic", "critical-infrastructure"],
    }
    lines = [
        json.dumps(good),
        "",
        '{"title": "No body"}',
        "{not json",
        '["a", "list"]',
        '{"title": "T", "text": "x", "date": "last week"}',
        '{"title": "T", "text": "x", "labels": "economic"}',
        '{"title": "T", "text": "x", "url": 5}',
        json.dumps({"title": "Minimal", "text": "Just text.", "date": "2023-12-31"}),
    ]
    path = tmp_path / "bulk.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    items = list(read_path(path))

    documents = [i for i in items if isinstance(i, RawDocument)]
    failures = {i.origin: i.reason for i in items if isinstance(i, ReadFailure)}
    first, last = documents
    assert first.text == "Dockers in Antwerp\nwalked out."
    assert first.date == dt.date(2024, 4, 2)
    assert (first.url, first.language, first.source, first.marking) == (
        "https://news.example/strike",
        "nl",
        "Wire",
        "UNCLASSIFIED",
    )
    assert first.labels == ["economic", "critical-infrastructure"]
    assert first.origin == f"{path.as_posix()}:1"
    assert (last.title, last.date, last.origin) == ("Minimal", dt.date(2023, 12, 31), f"{path}:9")
    assert failures == {
        f"{path}:3": "line 3: 'text' is missing",
        f"{path}:4": "line 4: not valid JSON (Expecting property name enclosed in double quotes "
        "at column 2)",
        f"{path}:5": "line 5: not a JSON object",
        f"{path}:6": "line 6: 'date' is not an ISO date ('last week')",
        f"{path}:7": "line 7: 'labels' must be a list of strings",
        f"{path}:8": "line 8: 'url' must be a string",
    }


def test_jsonl_files_are_streamed_with_a_per_line_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.ndjson"
    lines = [json.dumps({"title": f"t{i}", "text": "short"}) for i in range(3)]
    lines[1] = json.dumps({"title": "huge", "text": "x" * 5000})
    path.write_text("\n".join(lines), encoding="utf-8")  # no final newline

    items = list(read_path(path, max_bytes=100))

    assert [type(i).__name__ for i in items] == ["RawDocument", "ReadFailure", "RawDocument"]
    assert items[1] == ReadFailure(f"{path}:2", "line 2: over the size limit (4.9 KB)")


def test_jsonl_bad_utf8_line_does_not_spoil_the_rest() -> None:
    data = b'{"title": "a", "text": "caf\xe9"}\n{"title": "b", "text": "fine"}\n'
    items = list(read_bytes("x.jsonl", data))
    assert items[0] == ReadFailure("x.jsonl:1", "line 1: not UTF-8 text (byte 0xe9 at position 27)")
    assert isinstance(items[1], RawDocument) and items[1].text == "fine"


# --- feeds -------------------------------------------------------------------------------------


def test_rss_file_gives_one_document_per_item(tmp_path: Path) -> None:
    path = tmp_path / "monitor.rss"
    path.write_bytes(RSS)
    first, second = list(read_path(path))
    assert isinstance(first, RawDocument) and isinstance(second, RawDocument)
    assert first.title == "Drone swarm trial & results"
    assert first.text == "A drone swarm was tested.\n\nResults follow."
    assert (first.date, first.url, first.source) == (
        dt.date(2024, 3, 5),
        "https://monitor.example/1",
        "Defence Monitor",
    )
    assert first.origin == f"{path.as_posix()}#1"
    assert (second.title, second.text, second.date) == ("Headline only", "Headline only", None)


def test_atom_bytes() -> None:
    document = only(list(read_bytes("notes.atom", ATOM)))
    assert (document.title, document.text) == (
        "Water supply drills",
        "Drills & exercises in three provinces.",
    )
    assert (document.date, document.url, document.source, document.origin) == (
        dt.date(2024, 2, 2),
        "https://notes.example/water",
        "Resilience Notes",
        "notes.atom#1",
    )


def test_xml_that_is_not_a_feed_fails() -> None:
    reason = failure(list(read_bytes("data.xml", b"<catalog><book/></catalog>"))).reason
    assert reason.startswith("not an RSS or Atom feed")


# --- broken files, limits and sniffing ---------------------------------------------------------


def test_invalid_utf8_text_fails_with_the_offending_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Sécurité".encode("latin-1"))
    assert failure(list(read_path(path))).reason == "not UTF-8 text (byte 0xe9 at position 1)"


def test_utf16_text_gets_a_hint() -> None:
    data = "Hello".encode("utf-16")
    assert "UTF-16" in failure(list(read_bytes("w.txt", data))).reason


def test_empty_file_fails(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.touch()
    assert failure(list(read_path(path))) == ReadFailure(path.as_posix(), "empty file")
    assert failure(list(read_bytes("empty.txt", b""))).reason == "empty file"


def test_whitespace_only_text_fails() -> None:
    assert failure(list(read_bytes("blank.txt", b" \n\t\n"))).reason.startswith("no readable text")


def test_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("a" * 2048, encoding="utf-8")
    assert failure(list(read_path(path, max_bytes=1024))).reason == (
        "over the size limit (2 KB > 1 KB)"
    )
    assert failure(list(read_bytes("big.txt", b"a" * 200, max_bytes=100))).reason == (
        "over the size limit (200 bytes > 100 bytes)"
    )


def test_missing_path_fails(tmp_path: Path) -> None:
    assert failure(list(read_path(tmp_path / "nope"))).reason == "no such file or folder"


def test_unknown_format_is_a_programming_error_raised_at_call_time() -> None:
    assert "feed" in FORMATS
    with pytest.raises(ValueError, match="unknown format"):
        read_path(Path("anything"), fmt="odt")
    with pytest.raises(ValueError, match="unknown format"):
        read_bytes("x", b"", fmt="odt")


def test_explicit_format_overrides_the_extension() -> None:
    document = only(list(read_bytes("notes.txt", b"# Heading\n\n*body*", fmt="md")))
    assert document.text == "Heading\n\nbody"


SNIFF_CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "pdf": (lambda: pdf_bytes("<p>Sniffed PDF body.</p>"), "Sniffed PDF body."),
    "docx": (docx_bytes, "Cyber attacks on hospitals doubled over the year."),
    "rss": (lambda: RSS, "A drone swarm was tested."),
    "atom": (lambda: ATOM, "Drills & exercises in three provinces."),
    "html": (PAGE.encode, ARTICLE[0]),
    "txt": ("Plain notes, accentué.".encode, "Plain notes, accentué."),
}


@pytest.mark.parametrize("kind", SNIFF_CASES)
def test_unknown_extensions_are_sniffed(tmp_path: Path, kind: str) -> None:
    build, expected = SNIFF_CASES[kind]
    path = tmp_path / "download.bin"
    path.write_bytes(build())
    first = next(iter(read_path(path)))
    assert isinstance(first, RawDocument), first
    assert expected in first.text


def test_unrecognisable_binary_fails() -> None:
    reason = failure(list(read_bytes("image.dat", b"\x89PNG\r\n\x1a\n\x00\x00"))).reason
    assert reason.startswith("unknown format")


def test_folder_is_read_recursively_in_order_skipping_hidden_files(tmp_path: Path) -> None:
    (tmp_path / "b_sub").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.txt").write_text("Alpha", encoding="utf-8")
    (tmp_path / "c.md").write_text("# Gamma", encoding="utf-8")
    (tmp_path / "b_sub" / "b.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "b_sub" / "broken.pdf").write_bytes(b"%PDF-1.4 nothing else")
    (tmp_path / "b_sub" / "feed.xml").write_bytes(RSS)
    (tmp_path / "d.docx").write_bytes(docx_bytes())
    (tmp_path / "e.jsonl").write_text('{"title": "J", "text": "Jay"}\n', encoding="utf-8")
    (tmp_path / "f.txt").write_bytes(b"")
    (tmp_path / ".hidden.txt").write_text("secret", encoding="utf-8")
    (tmp_path / ".git" / "config.txt").write_text("secret", encoding="utf-8")

    items = list(read_path(tmp_path))

    origins = [Path(i.origin.split("#")[0].split(":")[0]).relative_to(tmp_path) for i in items]
    assert [o.as_posix() for o in origins] == [
        "a.txt",
        "b_sub/b.html",
        "b_sub/broken.pdf",
        "b_sub/feed.xml",
        "b_sub/feed.xml",
        "c.md",
        "d.docx",
        "e.jsonl",
        "f.txt",
    ]
    kinds = [type(i).__name__ for i in items]
    assert kinds.count("ReadFailure") == 2  # the broken PDF and the empty file; the rest read
    assert not any("secret" in i.text for i in items if isinstance(i, RawDocument))


def test_normalise_text_is_idempotent() -> None:
    messy = "  a \u00a0\r\nb\x00c\f\n\n\n\n\n\nd  "
    once = normalise_text(messy)
    assert once == "a\nbc\n\n\nd"  # at most two blank lines in a row
    assert normalise_text(once) == once


MESSY = st.text(
    alphabet=st.sampled_from(
        list("ab eé\u0301\t\n\r\f\v\x00\x07\x1c\x7f\ufeff\u2028\u2029\u00a0\u3000\x85")
    ),
    max_size=60,
)


@settings(max_examples=2000, deadline=None)
@given(MESSY)
def test_normalised_text_keeps_its_promises(messy: str) -> None:
    """Whatever comes in: NFC, Unix newlines only, no control character, no blank at a
    line's end, at most two blank lines in a row, trimmed, and the words unchanged."""
    text = normalise_text(messy)
    assert unicodedata.is_normalized("NFC", text)
    assert not any(c in text for c in "\r\f\v\x00\x07\x1c\x7f\ufeff\u2028\u2029")
    assert all(line == line.rstrip() for line in text.split("\n"))
    assert "\n\n\n\n" not in text and text == text.strip()
    assert normalise_text(text) == text
    dropped = {c: None for c in [*range(0x09), *range(0x0E, 0x20), 0x7F, 0xFEFF]}
    assert text.split() == unicodedata.normalize("NFC", messy.translate(dropped)).split()


# --- passages ----------------------------------------------------------------------------------


def check_spans(text: str, spans: list[tuple[int, int]], max_chars: int) -> None:
    """The splitter's contract: trimmed, non-empty, bounded, ordered, covering."""
    assert all(text[s:e].strip() == text[s:e] and s < e for s, e in spans)
    assert all(e - s <= max_chars for s, e in spans)
    assert all(e1 <= s2 for (_, e1), (s2, _) in itertools.pairwise(spans))
    covered = sorted(i for s, e in spans for i in range(s, e) if not text[i].isspace())
    assert covered == [i for i, ch in enumerate(text) if not ch.isspace()]


def random_text(seed: int) -> str:
    rng = random.Random(seed)
    words = ["threat", "Belgium", "cyber", "port", "énergie", "Deterrence", "x" * 30, "NATO"]
    parts = []
    for _ in range(rng.randint(0, 40)):
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
        parts.append(sentence + rng.choice([". ", "! ", "? ", "… ", ", ", "\n", "\n\n", "\n \n\n"]))
    return rng.choice(["", "  ", "\n"]) + "".join(parts)


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize(("max_chars", "min_chars"), [(1200, 200), (120, 40), (15, 5)])
def test_passage_contract_on_random_text(seed: int, max_chars: int, min_chars: int) -> None:
    text = random_text(seed)
    check_spans(text, split_passages(text, max_chars=max_chars, min_chars=min_chars), max_chars)


def test_paragraphs_are_kept_and_short_ones_merged_forward() -> None:
    body = "Sentence about resilience planning in the provinces. " * 8
    text = f"# Heading\n\n{body.strip()}\n\n{body.strip()}\n\nShort end."
    spans = split_passages(text, max_chars=1200, min_chars=200)
    check_spans(text, spans, 1200)
    pieces = [text[s:e] for s, e in spans]
    assert pieces[0].startswith("# Heading\n\nSentence")  # the heading travels with its section
    assert pieces[-1].endswith("provinces.\n\nShort end.")  # a short tail joins the last passage
    assert len(pieces) == 2


def test_ten_thousand_char_paragraph_is_cut_at_sentence_ends() -> None:
    rng = random.Random(7)
    sentences: list[str] = []
    while sum(len(s) + 1 for s in sentences) < 10_000:
        words = " ".join(rng.choice(["grid", "cable", "alliance", "budget"]) for _ in range(12))
        sentences.append(f"The {words} matters.")
    text = " ".join(sentences)[:10_000].rsplit(" ", 1)[0] + " end."
    assert "\n" not in text and len(text) > 9_900

    spans = split_passages(text)

    check_spans(text, spans, 1200)
    assert len(spans) == 9
    assert all(text[e - 1] == "." for _, e in spans)
    assert all(text[s:].startswith("The ") for s, _ in spans)
    lengths = [e - s for s, e in spans]
    assert min(lengths) > 600  # balanced: no stub left at the end


def test_text_without_spaces_is_cut_hard() -> None:
    text = "é" * 3000
    spans = split_passages(unicodedata.normalize("NFD", text), max_chars=500)
    check_spans(unicodedata.normalize("NFD", text), spans, 500)
    decomposed = unicodedata.normalize("NFD", text)
    assert all(not unicodedata.combining(decomposed[s]) for s, _ in spans)


def test_empty_and_blank_text_have_no_passages() -> None:
    assert split_passages("") == []
    assert split_passages(" \n\n \t\n") == []


# --- language ----------------------------------------------------------------------------------

SAMPLES = {
    "en": "The government has published a new assessment of the threats facing the country.",
    "fr": "Le gouvernement a publié une nouvelle évaluation des menaces qui pèsent sur le pays.",
    "nl": "De regering heeft een nieuwe beoordeling gepubliceerd van de dreigingen voor het land.",
    "de": "Die Regierung hat eine neue Bewertung der Bedrohungen für das Land veröffentlicht.",
}


@pytest.mark.parametrize("code", SAMPLES)
def test_language_of_a_clear_passage(code: str) -> None:
    assert detect_language(SAMPLES[code]) == code


def test_short_text_is_other() -> None:
    assert detect_language("ok") == "other"
    assert detect_language("12345 67890 !!! ...") == "other"


def test_detect_many_matches_detect_language() -> None:
    texts = ["ok", *SAMPLES.values(), ""]
    assert detect_many(texts) == ["other", "en", "fr", "nl", "de", "other"]
    assert detect_many([]) == []


def test_language_set_is_configurable() -> None:
    assert detect_language(SAMPLES["nl"], ("EN", "nl")) == "nl"
    with pytest.raises(ValueError, match="unknown ISO 639-1"):
        detect_language(SAMPLES["en"], ("en", "zz"))
