"""``grandstrategy horizon``: ingest, search, show, label, train, eval, stats, taxonomy."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from grandstrategy.cli.common import JSON_OPT, console, print_json, print_table, state
from grandstrategy.core import lazy
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _, pgettext

if TYPE_CHECKING:
    from grandstrategy.core import authz, formats
    from grandstrategy.horizon import schemas, service
else:
    authz = lazy.module("grandstrategy.core.authz")
    formats = lazy.module("grandstrategy.core.formats")
    schemas = lazy.module("grandstrategy.horizon.schemas")
    service = lazy.module("grandstrategy.horizon.service")


horizon_app = typer.Typer(
    help="Strategic foresight: documents, threats, actors, search.", no_args_is_help=True
)


def _expected(paths: list[str], fmt: str) -> int | None:
    """How many documents a batch holds, when that is known without reading them: one per
    line of a JSON Lines file, one per file in a folder; None with a feed (its length is
    only known once fetched). Gives the progress bar its total and time left."""
    total = 0
    for p in paths:
        path = Path(p)
        if re.match(r"(?i)https?://", p) or not path.exists():
            return None
        if path.is_dir():
            total += sum(1 for f in path.rglob("*") if f.is_file() and not f.name.startswith("."))
        elif fmt == "jsonl" or path.suffix.lower() in (".jsonl", ".ndjson"):
            with path.open("rb") as fh:
                total += sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
        elif fmt == "feed" or path.suffix.lower() in (".xml", ".rss", ".atom"):
            return None
        else:
            total += 1
    return total


def _bar(as_json: bool, *, own_thread: bool = True) -> Progress:
    """A progress bar with counts and times; silent when the output is JSON.

    ``own_thread=False``: redrawn only when updated, by no thread of its own, so that the
    ingest workers can be forked from this process (see ``ingest/workers.py``)."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=as_json,
        disable=as_json,
        auto_refresh=own_thread,
    )


@horizon_app.command("ingest")
def ingest(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(
        ...,
        help="Files or folders (txt, md, html, pdf, docx, jsonl, RSS/Atom), or feed URLs.",
    ),
    source: str = typer.Option("files", "--source", help="Source name recorded on documents."),
    marking: str = typer.Option(None, "--marking", help="Marking for these documents."),
    fmt: str = typer.Option("auto", "--format", help="auto, jsonl, feed, txt, md, html, pdf, docx"),
    embeddings: bool = typer.Option(
        True,
        "--embed/--no-embed",
        help="Group these documents into stories by the sentence encoder's vectors (when "
        "installed); --no-embed: by character n-grams at once, without waiting for vectors.",
    ),
    wait: bool = typer.Option(
        False,
        "--wait/--no-wait",
        help="Wait for the semantic vectors (and the labels, stories and alerts that follow "
        "them) before returning; by default they are left to the vector job.",
    ),
    workers: int = typer.Option(
        None,
        "--workers",
        min=0,
        help="Processes that prepare documents while this one stores; 0: all in this "
        "process. Default: one per spare core (at most 3) for 256 documents or more (2,000 "
        "where a worker cannot be forked and starts as a fresh interpreter).",
        show_default=False,
    ),
    cluster: str = typer.Option(
        None,
        "--cluster",
        help="A Dask scheduler's address (tcp://host:8786): its workers prepare and classify "
        "the documents while this process stores them (needs the 'cluster' extra).",
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Ingest documents; safe to run again after an interruption (it resumes).

    Example: grandstrategy horizon ingest ./news/ --source "press review" --marking RESTRICTED
    """
    if fmt not in service.INGEST_FORMATS:
        raise Invalid(
            _("unknown format {format!r}; choose one of {choices}").format(
                format=fmt, choices=", ".join(service.INGEST_FORMATS)
            )
        )
    st = state(ctx)
    items = service.read_inputs(paths, fmt=fmt, max_bytes=st.settings.max_upload_bytes)
    with st.session() as s:
        user = st.principal(s)
    expected = _expected(paths, fmt)
    if workers is None:
        workers = service.auto_workers(expected) if cluster is None else 0
    with _bar(as_json, own_thread=False) as bar:
        task = bar.add_task("reading…", total=expected)

        def show(r: service.IngestReport) -> None:
            bar.update(
                task,
                completed=r.ingested + r.duplicates + len(r.failed),
                description=(
                    f"{r.ingested} ingested, {r.duplicates} duplicates, {len(r.failed)} failed · "
                    f"{r.docs_per_second:,.0f} docs/s"
                ),
                refresh=True,
            )

        report = service.ingest(
            st.factory,
            user=user,
            items=items,
            source=source,
            marking=marking,
            progress=show,
            use_embeddings=None if embeddings and st.settings.embeddings else False,
            workers=workers,
            wait_vectors=wait,
            cluster=cluster or None,
        )
    if as_json:
        print_json(
            {
                "ingested": report.ingested,
                "duplicates": report.duplicates,
                "passages": report.passages,
                "failed": report.failed,
                "seconds": round(report.seconds, 3),
                "docs_per_second": round(report.docs_per_second, 1),
                "vectors_waiting": report.vectors_waiting,
                "vector_seconds": round(report.vector_seconds, 3),
                "workers": report.workers,
                "worker_start": report.worker_start or None,
            }
        )
        return
    console.print(
        _(
            "ingested {ingested} document(s) ({passages} passages), {duplicates} duplicate(s), "
            "{failed} failed, in {seconds} s ({rate} docs/s)"
        ).format(
            ingested=report.ingested,
            passages=report.passages,
            duplicates=report.duplicates,
            failed=len(report.failed),
            seconds=formats.number(report.seconds, 1),
            rate=formats.number(report.docs_per_second, 0),
        )
    )
    if report.vectors_waiting:
        console.print(
            _(
                "{n} passage(s) wait for semantic vectors (similar-meaning search, labels with "
                "the encoder, stories, alerts): a running 'grandstrategy serve' fills them in the "
                "background, 'grandstrategy horizon vectors' fills them now."
            ).format(n=f"{report.vectors_waiting:,}")
        )
    if report.failed:
        print_table(report.failed, [_("file"), _("why it failed")], title=_("Failed"))


@horizon_app.command("vectors")
def vectors_cmd(
    ctx: typer.Context,
    limit: int = typer.Option(
        0, "--limit", min=0, help="Stop after this many passages (0: the whole queue)."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Fill the semantic-vector queue now: encode waiting passages, label them again with the
    encoder, group their documents into stories and refresh the alerts.

    A running server does this in the background; use this after a large ingest without one.

    Example: grandstrategy horizon vectors
    """
    st = state(ctx)
    with st.session() as s:
        user = st.principal(s)
        authz.require(user, "horizon.ingest")
        waiting = service.vector_status(s, user=user, enabled=st.settings.embeddings)
    if not waiting.enabled:
        raise Invalid(
            _(
                "semantic vectors are off (the sentence encoder is not installed, or "
                "GRANDSTRATEGY_EMBEDDINGS is false)"
            )
        )
    total = min(waiting.waiting, limit) if limit else waiting.waiting
    t0 = time.perf_counter()
    with _bar(as_json) as bar:
        task = bar.add_task(_("encoding passages…"), total=total or None)
        done = service.fill_vectors(
            st.factory,
            limit=limit or None,
            progress=lambda n: bar.update(task, completed=n),
        )
    seconds = time.perf_counter() - t0
    rate = done / seconds if seconds else 0.0
    if as_json:
        print_json({"passages": done, "seconds": round(seconds, 3), "per_second": round(rate, 1)})
        return
    console.print(
        _("{n} passage(s) encoded in {seconds} s ({rate} a second)").format(
            n=f"{done:,}", seconds=f"{seconds:.1f}", rate=f"{rate:,.0f}"
        )
    )


@horizon_app.command("search")
def search_cmd(
    ctx: typer.Context,
    query: str = typer.Argument(..., help='Words, "a phrase", prefix*, OR, -exclude'),
    category: str = typer.Option(
        None, "--category", help="Only this threat category (see 'horizon taxonomy')."
    ),
    actor: str = typer.Option(None, "--actor", help="Entity id, e.g. state:RU or org:nato"),
    language: str = typer.Option(
        None, "--language", help="Only passages in this language (en, fr, nl, de)."
    ),
    source: str = typer.Option(None, "--source", help="Only documents from this source."),
    since: dt.datetime = typer.Option(
        None, "--since", formats=["%Y-%m-%d"], help="Only from this date on."
    ),
    until: dt.datetime = typer.Option(
        None, "--until", formats=["%Y-%m-%d"], help="Only up to this date."
    ),
    limit: int = typer.Option(10, "--limit", min=1, max=500, help="At most this many rows."),
    as_json: bool = JSON_OPT,
) -> None:
    """Search the institutional memory; every hit cites document, passage and offsets.

    Example: grandstrategy horizon search "undersea cable" --category hybrid --since 2025-01-01
    """
    st = state(ctx)
    filters = service.SearchFilters(
        category,
        actor,
        language,
        source,
        since.date() if since else None,
        until.date() if until else None,
    )
    with st.session() as s:
        result = service.search(
            s,
            user=st.principal(s),
            query=query,
            filters=filters,
            limit=limit,
            index=service.keyword_index_for(st.settings),
        )
    if as_json:
        print_json(
            {
                "query": result.query,
                "total": result.total,
                "total_exact": result.total_exact,
                "facets_exact": result.facets_exact,
                "took_ms": round(result.took_ms, 1),
                "backend": result.backend,
                "marking": str(result.marking),
                "facets": result.facets,
                "hits": [
                    {**h.__dict__, "citation": h.citation, "why": h.why(filters)}
                    for h in result.hits
                ],
            }
        )
        return
    console.print(
        f"{result.total_text} passage(s) match · {result.took_ms:.0f} ms ({result.backend}) · "
        f"marking {result.marking}"
    )
    from rich.text import Text

    for h in result.hits:
        console.print(
            f"[bold]{h.document_title}[/] — {h.citation} · {', '.join(h.categories)}",
            highlight=False,
        )
        line = Text("   " + h.snippet)
        for a, b in h.matches:  # the matches in bold, from their offsets (no markup parsed)
            line.stylize("bold", a + 3, b + 3)
        console.print(line, highlight=False)


@horizon_app.command("show")
def show(ctx: typer.Context, doc_id: int, as_json: bool = JSON_OPT) -> None:
    """A document with its passages, labels and actors.

    Example: grandstrategy horizon show 42
    """
    st = state(ctx)
    with st.session() as s:
        view = service.get_document(s, user=st.principal(s), doc_id=doc_id)
    if as_json:
        print_json(view)
        return
    sm = view.summary
    console.print(
        f"[bold]{sm.title}[/] ({sm.marking}) · {sm.source} · {sm.published or ''} · {sm.language}",
        highlight=False,
    )
    actors = ", ".join(f"{n} ×{c}" for _id, n, c in sm.actors)
    console.print(_("actors: {actors}").format(actors=actors))
    for p in view.passages:
        cats = ", ".join(
            f"{lb['category']} {lb['score'] or ''}"
            + (f" [{lb['verdict']}]" if lb["verdict"] else "")
            for lb in p.labels
        )
        console.print(
            f"\n¶{p.seq + 1} "
            + _("(passage {id}, [{start}:{end}])").format(id=p.id, start=p.start, end=p.end)
            + f" {cats}",
            highlight=False,
            markup=False,
        )
        console.print(p.text, highlight=False, markup=False)


@horizon_app.command("label")
def label(
    ctx: typer.Context,
    passage_id: int = typer.Argument(..., help="Passage id (see 'horizon show')."),
    category: str = typer.Argument(...),
    verdict: str = typer.Option("confirm", "--verdict", help="confirm or reject"),
    note: str = typer.Option("", "--note", help="A note kept with it."),
) -> None:
    """Confirm or reject a category on a passage; used at the next training.

    Example: grandstrategy horizon label 118 hybrid --verdict reject --note "an accident"
    """
    st = state(ctx)
    with st.session() as s:
        service.give_verdict(
            s,
            user=st.principal(s),
            passage_id=passage_id,
            category=category,
            verdict=verdict,
            note=note,
        )
    done = {"confirm": _("confirmed"), "reject": _("rejected")}.get(verdict, f"{verdict}ed")
    console.print(
        _("passage {id}: {category} {verdict}").format(
            id=passage_id, category=category, verdict=done
        )
    )


@horizon_app.command("train")
def train(
    ctx: typer.Context,
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed trains the same model."),
    tune: bool = typer.Option(
        True, "--tune/--no-tune", help="Choose weights and thresholds by cross-validation."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Train the classifier on the starter set plus every analyst verdict.

    Example: grandstrategy horizon train
    """
    st = state(ctx)
    with console.status(_("training…")), st.session() as s:
        report = service.train(s, user=st.principal(s), seed=seed, tune=tune)
    if as_json:
        print_json(report)
    else:
        console.print(
            _(
                "model {model}: {n} examples ({feedback} from verdicts); starter test split "
                "macro-F1 {macro}, micro-F1 {micro}; embeddings {embeddings}"
            ).format(
                model=report.model_id,
                n=report.n_examples,
                feedback=report.n_feedback,
                macro=formats.number(report.macro_f1, 3),
                micro=formats.number(report.micro_f1, 3),
                embeddings=(
                    pgettext("switch", "on") if report.embeddings else pgettext("switch", "off")
                ),
            )
        )


@horizon_app.command("eval")
def eval_cmd(
    ctx: typer.Context,
    labels: Path = typer.Argument(..., help="JSONL: text, labels, optional language"),
    as_json: bool = JSON_OPT,
) -> None:
    """Classify labelled passages with the current classifier and score it (trains nothing).

    Example: grandstrategy horizon eval my-labels.jsonl --json
    """
    st = state(ctx)
    try:
        with st.session() as s:
            report = service.evaluate_file(s, user=st.principal(s), path=labels)
    except OSError as exc:  # a missing or unreadable file is the user's to fix, not a crash
        raise Invalid(f"cannot read {labels}: {exc.strerror or exc}") from None
    except ValueError as exc:  # a bad line: the message names the file and the line
        raise Invalid(str(exc)) from None
    if as_json:
        print_json(report)
    else:
        console.print(service.evaluation_text(report), highlight=False, markup=False)


@horizon_app.command("reindex")
def reindex(ctx: typer.Context) -> None:
    """Rebuild the keyword search index (tantivy) from the database.

    The index catches up by itself at each search; rebuild after restoring a backup, or to
    be sure. Example: grandstrategy horizon reindex
    """
    st = state(ctx)
    index = service.keyword_index_for(st.settings)
    if index is None:
        console.print(_("keyword search uses the database's full-text index: nothing to rebuild"))
        return
    with st.session() as s:
        n = service.reindex(s, user=st.principal(s), index=index)
    console.print(_("{n} passages indexed in {folder}").format(n=n, folder=index.folder))


@horizon_app.command("stats")
def stats(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """What the institutional memory holds (within your clearance).

    Example: grandstrategy horizon stats
    """
    st = state(ctx)
    with st.session() as s:
        data = service.stats(s, user=st.principal(s), index=service.keyword_index_for(st.settings))
    if as_json:
        print_json(data)
        return
    console.print(
        _(
            "{documents} documents, {passages} passages; model {model}; keyword search: {search}"
        ).format(
            documents=data["documents"],
            passages=data["passages"],
            model=data["model"] or _("none (rules only)"),
            search=data["search_backend"],
        )
    )
    print_table(
        sorted(data["categories"].items(), key=lambda kv: -kv[1]), [_("category"), _("documents")]
    )
    print_table(data["actors"], [_("actor"), _("name"), _("documents")])


@horizon_app.command("taxonomy")
def taxonomy(as_json: bool = JSON_OPT) -> None:
    """The threat taxonomy: categories, the interests they endanger, their rules.

    Example: grandstrategy horizon taxonomy --json
    """
    tax = schemas.taxonomy()
    if as_json:
        print_json(tax)
        return
    print_table(
        [
            (c.id, c.label(), ", ".join(c.interests), len(c.rules), c.threshold)
            for c in tax.categories
        ],
        [_("id"), _("name"), _("endangers"), _("rules"), _("threshold")],
    )


@horizon_app.command("export")
def export(
    ctx: typer.Context,
    out: Path = typer.Option(..., "--out", help="The file to write (JSON)."),
    fmt: str = typer.Option("stix", "--format", help="stix: a STIX 2.1 bundle."),
    since: dt.datetime = typer.Option(
        None, "--since", formats=["%Y-%m-%d"], help="Documents published on or after this date."
    ),
    category: str = typer.Option(None, "--category", help="Only documents with this label."),
    limit: int = typer.Option(10_000, "--limit", min=1, max=100_000, help="At most this many."),
) -> None:
    """Export what you may see for partners' platforms, with TLP and national markings.

    Example: grandstrategy horizon export --format stix --since 2026-01-01 --out bundle.json
    """
    import json

    if fmt != "stix":
        raise Invalid(_("unknown format {format!r}; choose stix").format(format=fmt))
    st = state(ctx)
    with st.session() as s:
        data, marking = service.export_stix(
            s,
            user=st.principal(s),
            since=since.date() if since else None,
            category=category,
            limit=limit,
        )
    out.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    reports = sum(1 for o in data["objects"] if o["type"] == "report")
    objects = len(data["objects"])
    console.print(
        _("{reports} reports and {objects} objects written to {out} ({marking})").format(
            reports=reports, objects=objects, out=out, marking=marking
        )
    )


# The rolling analysis (stories, trends, alerts) lives in its own module.
from grandstrategy.cli import horizon_analysis  # noqa: E402

horizon_analysis.register(horizon_app)

from grandstrategy.cli import horizon_watch  # noqa: E402

horizon_watch.register(horizon_app)  # watchlists tied to the strategy: 'horizon watch ...'
