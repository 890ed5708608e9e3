"""The keyword index of SQLite deployments: tantivy over passages, fed from the database.

FTS5 ranks every match of a query before it can return the best ones: 50,000 matches of a
common word at a million passages take a quarter of a second. Tantivy keeps the best k on the
fly (block-max WAND) and counts the rest cheaply, with the marking inside the query.

The database is the truth; the index only proposes. It holds one document per passage: the
id, the text (lowercased, accents folded, as FTS5's ``unicode61 remove_diacritics``), and the
fields a search filters on (marking level and compartments, language, source, date, and the
categories and actors as they were when the passage was indexed). ``search.search`` re-checks
every candidate id it keeps through ``restrict()`` and the filters in SQL, so a stale or wrong
index can hide a passage but never show one the user may not see.

Keeping up: ``state.json`` in the index folder records the highest passage id indexed (the
watermark), a fingerprint of that passage, the highest label and mention ids, and every
compartment seen. Before each search :meth:`KeywordIndex.sync` compares them with the database
(one small query): new passages are added; passages that got labels or mentions since are
indexed again; a watermark passage that is gone or different (a rolled-back transaction whose
ids were reused) or a passage count that differs (checked every ``RECOUNT_SECONDS``) makes the
index rebuild itself. Every catch-up first deletes what lies above the watermark, so a crash
between tantivy's commit and the state file only redoes work. When the index cannot be made
current (another process holds the writer), the caller falls back to FTS for that search.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from grandstrategy.horizon import plainsql
from grandstrategy.horizon.index_query import EPOCH, QueryBuilding, _tv
from grandstrategy.horizon.models import Document, Label, Mention, Passage, Source
from grandstrategy.horizon.wordstore import WordStore

VERSION = 1  # bump when the schema or the analyzer changes: older indexes are rebuilt
BATCH = 5_000  # passages read from the database at a time
RECOUNT_SECONDS = 30.0
FILL_SECONDS = 1.0  # spent per search filling a word store that lags the index
WINDOW = 32  # a capped count searches the newest 1/WINDOW of the ids first
WINDOWED_FROM = 200_000  # below this many ids, one search (each adds ~0.2 ms)
MARGIN = 1.25  # the next window is made this much larger than the matches seen suggest
BACKENDS = ("auto", "fts", "tantivy")


def available() -> bool:
    return importlib.util.find_spec("tantivy") is not None


def choose(setting: str, database_url: str) -> str:
    """'tantivy' or 'fts': auto means tantivy on SQLite when the package is installed."""
    if setting not in BACKENDS:
        raise ValueError(f"search_backend must be one of {', '.join(BACKENDS)}, not {setting!r}")
    if setting == "auto":
        sqlite = database_url.startswith("sqlite")
        return "tantivy" if sqlite and available() else "fts"
    return setting


def folder_for(data_dir: Path, database_url: str) -> Path:
    return data_dir / "search-index" / hashlib.sha256(database_url.encode()).hexdigest()[:16]


_open: dict[Path, KeywordIndex] = {}
_open_lock = threading.Lock()


def for_settings(settings: Any) -> KeywordIndex | None:
    """The index of the settings' database, opened once per process; None for FTS."""
    if choose(settings.search_backend, settings.database_url) != "tantivy":
        return None
    folder = folder_for(settings.data_dir, settings.database_url)
    with _open_lock:
        if folder not in _open:
            _open[folder] = KeywordIndex(folder)
        return _open[folder]


@dataclass
class State:
    version: int = VERSION
    upto: int = 0  # highest passage id indexed
    fingerprint: str = ""  # of the passage at ``upto``
    labels_upto: int = 0
    mentions_upto: int = 0
    docs: int = 0
    compartments: list[str] = field(default_factory=list)


@cache
def _marks_statements() -> tuple[Any, Any]:
    """The two queries of the catch-up check, built once (it runs before every search)."""
    tops = select(
        select(func.max(Passage.id)).scalar_subquery(),
        select(func.max(Label.id)).scalar_subquery(),
        select(func.max(Mention.id)).scalar_subquery(),
    )
    passage = (
        select(
            Document.content_hash,
            Passage.seq,
            Passage.marking_level,
            Passage.marking_compartments,
        )
        .join(Document, Document.id == Passage.document_id)
        .where(Passage.id == bindparam("upto"))
    )
    return tops, passage


class KeywordIndex(QueryBuilding):
    """One tantivy index in ``folder``, kept in step with one database."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.lock = threading.Lock()
        self.counted_at = -RECOUNT_SECONDS
        self.state = State()
        self.index: Any = None
        self.searcher: Any = None
        self._open()

    # ---- opening and writing

    def _open(self) -> None:
        tv = _tv()
        sb = tv.SchemaBuilder()
        sb.add_text_field("text", stored=False, tokenizer_name="gs", index_option="position")
        sb.add_unsigned_field("pid", indexed=True, fast=True)
        sb.add_unsigned_field("level", indexed=True, fast=True)
        sb.add_integer_field("published", indexed=True, fast=True)
        for name in ("comps", "category", "actor", "language", "source"):
            sb.add_text_field(name, tokenizer_name="raw")
        self.schema = sb.build()
        state = self._read_state()
        if state is None or state.version != VERSION:
            shutil.rmtree(self.folder, ignore_errors=True)
            state = State()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.index = tv.Index(self.schema, path=str(self.folder))
        self.analyzer = (
            tv.TextAnalyzerBuilder(tv.Tokenizer.simple())
            .filter(tv.Filter.remove_long(40))
            .filter(tv.Filter.lowercase())
            .filter(tv.Filter.ascii_fold())
            .build()
        )
        self.index.register_tokenizer("gs", self.analyzer)
        self.state = state
        self.words = WordStore(self.folder / "words")
        self.index.reload()
        self.searcher = self.index.searcher()

    def _read_state(self) -> State | None:
        try:
            return State(**json.loads((self.folder / "state.json").read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def _write_state(self, state: State) -> None:
        tmp = self.folder / "state.json.tmp"
        tmp.write_text(json.dumps(state.__dict__))
        tmp.replace(self.folder / "state.json")
        self.state = state

    def _doc(self, row: Any, cats: list[str], actors: list[str]) -> Any:
        pid, text, level, comps, language, published, source = row
        doc = _tv().Document()
        doc.add_unsigned("pid", pid)
        doc.add_text("text", text)
        doc.add_unsigned("level", level)
        for comp in comps.strip("|").split("|"):
            if comp:
                doc.add_text("comps", comp)
        doc.add_text("language", language)
        doc.add_text("source", source)
        if published is not None:
            doc.add_integer("published", (published - EPOCH).days)
        for c in cats:
            doc.add_text("category", c)
        for a in actors:
            doc.add_text("actor", a)
        return doc

    def _add(
        self, session: Session, writer: Any, ids: list[int] | None, above: int, feed: bool
    ) -> set[str]:
        """Index the passages in ``ids``, or (None) every passage above ``above``; the
        compartments seen. With ``feed`` (the word store holds every passage up to where
        these begin), the words of those above the store's ``upto`` are stored too (the
        caller commits the store)."""
        seen: set[str] = set()
        stored = self.words.upto if feed else None
        lo = above
        while True:
            q = (
                select(
                    Passage.id,
                    Passage.text,
                    Passage.marking_level,
                    Passage.marking_compartments,
                    Passage.language,
                    Document.published,
                    Source.name,
                )
                .join(Document, Document.id == Passage.document_id)
                .join(Source, Source.id == Document.source_id)
                .order_by(Passage.id)
            )
            if ids is None:
                q = q.where(Passage.id > lo).limit(BATCH)
            else:
                q = q.where(Passage.id.in_(ids[:BATCH]))
            rows = session.execute(q).all()
            if not rows:
                return seen
            first, last = rows[0][0], rows[-1][0]
            cats: dict[int, list[str]] = {}
            for pid, cat in session.execute(
                select(Label.passage_id, Label.category).where(
                    Label.passage_id.between(first, last)
                )
            ):
                cats.setdefault(pid, []).append(cat)
            actors: dict[int, list[str]] = {}
            for pid, ent in session.execute(
                select(Mention.passage_id, Mention.entity_id).where(
                    Mention.passage_id.between(first, last)
                )
            ):
                actors.setdefault(pid, []).append(ent)
            for row in rows:
                seen.update(c for c in row[3].strip("|").split("|") if c)
                writer.add_document(self._doc(row, cats.get(row[0], []), actors.get(row[0], [])))
                if stored is not None and row[0] > stored:
                    self.words.add(row[0], row[1])
            self.words.flush()
            if ids is not None:
                ids = ids[BATCH:]
                if not ids:
                    return seen
            else:
                lo = last

    def _db_marks(self, session: Session, upto: int) -> tuple[int, str, int, int]:
        """(highest passage id, fingerprint of passage ``upto``, highest label and mention
        ids)."""
        tops, passage = _marks_statements()
        ((top, labels, mentions),) = plainsql.rows(session, tops)
        found = plainsql.rows(session, passage, {"upto": upto})
        row = found[0] if found else None
        fp = "" if row is None else "|".join(str(v) for v in row)
        return int(top or 0), fp, int(labels or 0), int(mentions or 0)

    def sync(self, session: Session) -> bool:
        """Bring the index up to the database as ``session`` sees it; False when it cannot
        be made current now (the caller then searches with FTS)."""
        with self.lock:
            disk = self._read_state()
            if disk is not None and disk != self.state:  # another process wrote
                self.state = disk
                self.index.reload()
                self.searcher = self.index.searcher()
            self.words.refresh()
            st = self.state
            top, fp, labels_top, mentions_top = self._db_marks(session, st.upto)
            rebuild = st.upto > 0 and fp != st.fingerprint
            if not rebuild and time.monotonic() - self.counted_at >= RECOUNT_SECONDS:
                counted = session.execute(
                    select(func.count()).select_from(Passage).where(Passage.id <= st.upto)
                ).scalar_one()
                rebuild = counted != st.docs
                self.counted_at = time.monotonic()
            if rebuild:
                return self._rebuild(session)
            current = (
                top == st.upto and labels_top <= st.labels_upto and mentions_top <= st.mentions_upto
            )
            if current and self.words.upto >= st.upto:
                return True
            try:
                writer = self.index.writer(100_000_000, 1)
            except ValueError:  # another process is writing: answer from FTS this time
                return current  # (a word store behind only makes ranking read texts)
            self.words.begin()
            if self.words.upto < st.upto:  # an index made before the word store: fill it
                self._store_words(session, st.upto, FILL_SECONDS)
            if current:
                return True
            changed = self._relabelled(session, st)
            pid = _tv().Query.range_query
            writer.delete_documents_by_query(
                pid(self.schema, "pid", _tv().FieldType.Unsigned, st.upto + 1, None)
            )
            for p in changed:
                writer.delete_documents_by_term("pid", p)
            seen = self._add(session, writer, changed, 0, False) if changed else set()
            fed = self.words.upto >= st.upto
            seen |= self._add(session, writer, None, st.upto, fed)
            writer.commit()
            writer.wait_merging_threads()
            if fed:
                self.words.commit(top)
            added = session.execute(
                select(func.count()).where(Passage.id > st.upto, Passage.id <= top)
            ).scalar_one()
            _, fp_top, _, _ = self._db_marks(session, top)
            self._write_state(
                State(
                    upto=top,
                    fingerprint=fp_top,
                    labels_upto=labels_top,
                    mentions_upto=mentions_top,
                    docs=st.docs + int(added),
                    compartments=sorted(set(st.compartments) | seen),
                )
            )
            self.index.reload()
            self.searcher = self.index.searcher()
            return True

    def _store_words(self, session: Session, upto: int, seconds: float) -> None:
        """Store the words of the passages the word store lacks up to ``upto`` (an index
        built before there was a word store, or a store lost or cut short), for about
        ``seconds``: a million passages take a minute, spread over the searches that follow
        (a passage not stored yet is ranked from its text)."""
        lo = self.words.upto
        deadline = time.monotonic() + seconds
        while True:
            rows = session.execute(
                select(Passage.id, Passage.text)
                .where(Passage.id > lo, Passage.id <= upto)
                .order_by(Passage.id)
                .limit(BATCH)
            ).all()
            for pid, text in rows:
                self.words.add(pid, text)
            self.words.flush()
            if len(rows) < BATCH:
                break
            lo = rows[-1][0]
            if time.monotonic() > deadline:
                self.words.commit(lo)  # every passage up to ``lo`` is stored
                return
        self.words.commit(upto)

    def store_words(self, session: Session) -> None:
        """Fill the word store up to the index now, however long it takes (benchmarks)."""
        while self.sync(session) and self.words.upto < self.state.upto:
            with self.lock:
                try:
                    writer = self.index.writer(15_000_000, 1)
                except ValueError:
                    return
                self.words.begin()
                self._store_words(session, self.state.upto, float("inf"))
                del writer

    def _relabelled(self, session: Session, st: State) -> list[int]:
        """Passages indexed already that got labels or mentions since."""
        ids: set[int] = set()
        for model, upto in ((Label, st.labels_upto), (Mention, st.mentions_upto)):
            ids.update(
                session.execute(
                    select(model.passage_id).where(model.id > upto, model.passage_id <= st.upto)
                ).scalars()
            )
        return sorted(ids)

    def _rebuild(self, session: Session) -> bool:
        try:
            writer = self.index.writer(500_000_000, 2)
        except ValueError:
            return False
        writer.delete_all_documents()
        self.words.reset()
        self.words.begin()
        top, _, labels_top, mentions_top = self._db_marks(session, 0)
        seen = self._add(session, writer, None, 0, True)
        writer.commit()
        writer.wait_merging_threads()
        self.words.commit(top)
        docs = session.execute(
            select(func.count()).select_from(Passage).where(Passage.id <= top)
        ).scalar_one()
        _, fp, _, _ = self._db_marks(session, top)
        state = State(VERSION, top, fp, labels_top, mentions_top, int(docs), sorted(seen))
        self._write_state(state)
        self.counted_at = time.monotonic()
        self.index.reload()
        self.searcher = self.index.searcher()
        return True

    def rebuild(self, session: Session) -> int:
        """Index every passage again from the database; the number indexed."""
        with self.lock:
            if not self._rebuild(session):
                raise RuntimeError("another process is writing the search index; try again")
            return self.state.docs

    # ---- searching (queries are built by ``QueryBuilding``)

    def search(self, query: Any, depth: int) -> tuple[list[tuple[int, float]], int]:
        """The best ``depth`` (passage id, score) for a query, and how many match in all."""
        res = self.searcher.search(query, depth, count=True)
        addrs = [a for _score, a in res.hits]
        pids = self.searcher.fast_field_values("pid", addrs) if addrs else []
        return [(int(p), float(s)) for p, (s, _a) in zip(pids, res.hits, strict=True)], int(
            res.count
        )

    def newest(self, query: Any, depth: int, enough: int | None = None) -> tuple[list[int], int]:
        """The ``depth`` highest passage ids that ``query`` matches, and how many match in
        all. Ordered by id, not by tantivy's BM25, whose statistics (document frequencies,
        average length) cover every passage indexed, those a reader may not see included.

        With ``enough``, the count is exact up to ``enough`` and only said to be more beyond:
        the newest ids are searched first (``WINDOW``, then as far back as the matches seen
        suggest holds ``enough``, then the rest), and the search stops once more than
        ``enough`` are counted. Tantivy visits every match it counts: at a million passages
        a common word's 50,000 matches took 3-7 ms, the ten thousand newest about 1."""
        top = self.state.upto
        if enough is None or top < WINDOWED_FROM:
            return self._newest(query, depth, None, None)
        ids: list[int] = []
        count = 0
        high: int | None = None  # the window's end (exclusive); None: no end
        low = top - top // WINDOW
        while True:
            found, n = self._newest(query, max(1, depth - len(ids)), low, high)
            ids += found[: depth - len(ids)]
            count += n
            if (count > enough and len(ids) >= depth) or low == 0:
                return ids, count
            seen = top + 1 - low  # the ids searched so far, from the top
            rate = count / seen  # matches per id there
            more = max(enough + 1, depth) - count
            wanted = int(more / rate * MARGIN) if rate else low
            high, low = low, max(0, low - wanted)

    def _newest(
        self, query: Any, depth: int, low: int | None, high: int | None
    ) -> tuple[list[int], int]:
        """The newest ``depth`` matches of ``query`` with ``low <= id < high`` (None: no
        bound), and how many there are."""
        if low is not None or high is not None:
            tv = _tv()
            ids = tv.Query.range_query(
                self.schema,
                "pid",
                tv.FieldType.Unsigned,
                low,
                None if high is None else high - 1,
            )
            query = tv.Query.boolean_query([(tv.Occur.Must, query), (tv.Occur.Must, ids)])
        res = self.searcher.search(query, depth, count=True, order_by_field="pid")
        return [int(pid) for pid, _addr in res.hits], int(res.count)  # the key is the pid

    def scores(self, terms: list[Any], passages: list[tuple[int, str]]) -> list[float | None]:
        """``wordforms.scores`` of each (passage id, language) from the stored words; None
        for a passage whose words are not stored (score it from its text)."""
        return self.words.scores(terms, passages)

    def matching(self, query: Any, ids: list[int]) -> set[int]:
        """Those of ``ids`` that ``query`` matches."""
        if not ids:
            return set()
        tv = _tv()
        only = tv.Query.term_set_query(self.schema, "pid", ids)
        both = tv.Query.boolean_query([(tv.Occur.Must, query), (tv.Occur.Must, only)])
        return {p for p, _ in self.search(both, len(ids))[0]}

    def stats(self) -> dict[str, Any]:
        return {"backend": "tantivy", "indexed": self.state.docs, "upto": self.state.upto}
