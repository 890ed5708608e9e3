"""Exports of the strategy: the YAML/JSON package and the rendered editions."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass

from sqlalchemy.orm import Session

from grandstrategy.core import audit, i18n
from grandstrategy.core.authz import Principal
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.strategy import render, render_docx
from grandstrategy.strategy.package import json_schemas, package_files
from grandstrategy.strategy.schemas import Package

FORMATS = {
    "yaml": ("application/zip", "zip"),
    "json": ("application/json", "json"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}


@dataclass
class Export:
    content: bytes
    media_type: str
    filename: str
    marking: Marking
    files: dict[str, str]  # the YAML package's files (yaml format only)
    withheld: int


def check_format(fmt: str) -> None:
    """Refuse an unknown export format, naming the ones there are."""
    if fmt not in FORMATS:
        raise Invalid(
            _("unknown format {format!r}; choose one of {choices}").format(
                format=fmt, choices=", ".join(FORMATS)
            )
        )


EDITIONS = ("md", "html", "pdf", "docx")


def check_language(lang: str | None) -> str:
    """The edition's language: ``lang`` (one of ours), else the current interface language."""
    if lang is None:
        return i18n.current()
    chosen = i18n.normalise(lang)
    if chosen is None or chosen != lang.strip().lower():
        raise Invalid(
            _("unknown language {lang!r}; choose one of {choices}").format(
                lang=lang, choices=", ".join(i18n.LANGUAGES)
            )
        )
    return chosen


def export_package(
    session: Session,
    *,
    user: Principal,
    pkg: Package,
    fmt: str,
    max_marking: str | None,
    lang: str | None = None,
) -> Export:
    """Render a package the user may see (loaded by the service) in ``fmt``, and audit it.

    The export carries the highest marking of what it contains. The package comes from the
    caller so that this module stays below the service (``service.export`` is the entry).
    An edition (md, html, pdf, docx) is in ``lang`` (default: the interface language):
    chrome through the catalogs, record texts translated where they are, else marked as
    not translated. The YAML and JSON packages hold every language as they are.
    """
    check_format(fmt)
    lang = check_language(lang)
    marking = pkg.highest_marking()
    if fmt in EDITIONS:
        with i18n.language(lang):
            content = _edition(pkg.in_language(lang), fmt)
    files: dict[str, str] = {}
    if fmt in EDITIONS:
        pass
    elif fmt == "yaml":
        files = package_files(pkg)
        files.update({f"schema/{k}": v for k, v in json_schemas().items()})
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, text in sorted(files.items()):
                zf.writestr(f"{pkg.strategy.id}/{name}", text)
        content = buf.getvalue()
    elif fmt == "json":
        body = pkg.model_dump(mode="json")
        body["marking"] = str(marking)
        content = (json.dumps(body, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    media, ext = FORMATS[fmt]
    suffix = f"-{lang}" if fmt in EDITIONS and lang != i18n.DEFAULT_LANGUAGE else ""
    audit.record(
        session,
        actor=user,
        action="strategy.export",
        object_type="strategy",
        object_id=pkg.strategy.id,
        marking=marking,
        after={
            "format": fmt,
            "max_marking": max_marking,
            "withheld": pkg.withheld,
            "language": lang if fmt in EDITIONS else None,
        },
    )
    return Export(
        content=content,
        media_type=media,
        filename=f"{pkg.strategy.id}{suffix}.{ext}",
        marking=marking,
        files=files,
        withheld=pkg.withheld,
    )


def _edition(pkg: Package, fmt: str) -> bytes:
    if fmt == "md":
        return render.render_markdown(pkg).encode("utf-8")
    if fmt == "html":
        return render.render_html(pkg).encode("utf-8")
    if fmt == "pdf":
        return render.render_pdf(pkg)
    return render_docx.write_docx(pkg)
