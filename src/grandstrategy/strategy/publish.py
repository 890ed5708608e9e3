"""Exports of the strategy: the YAML/JSON package and the rendered editions."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass

from sqlalchemy.orm import Session

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal, require
from grandstrategy.core.errors import Invalid
from grandstrategy.core.i18n import _
from grandstrategy.core.markings import Marking
from grandstrategy.strategy import render, render_docx
from grandstrategy.strategy.package import json_schemas, package_files
from grandstrategy.strategy.service import load_package

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


def export(
    session: Session,
    *,
    user: Principal,
    fmt: str,
    max_marking: str | None = None,
    key: str | None = None,
) -> Export:
    """Render the strategy as the user may see it, capped at ``max_marking`` if given.

    The export carries the highest marking of what it contains, and is audited.
    """
    require(user, "strategy.export")
    if fmt not in FORMATS:
        raise Invalid(
            _("unknown format {format!r}; choose one of {choices}").format(
                format=fmt, choices=", ".join(FORMATS)
            )
        )
    pkg = load_package(session, user=user, key=key, max_marking=max_marking)
    marking = pkg.highest_marking()
    files: dict[str, str] = {}
    if fmt == "yaml":
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
    elif fmt == "md":
        content = render.render_markdown(pkg).encode("utf-8")
    elif fmt == "html":
        content = render.render_html(pkg).encode("utf-8")
    elif fmt == "pdf":
        content = render.render_pdf(pkg)
    else:
        content = render_docx.write_docx(pkg)
    media, ext = FORMATS[fmt]
    audit.record(
        session,
        actor=user,
        action="strategy.export",
        object_type="strategy",
        object_id=pkg.strategy.id,
        marking=marking,
        after={"format": fmt, "max_marking": max_marking, "withheld": pkg.withheld},
    )
    return Export(
        content=content,
        media_type=media,
        filename=f"{pkg.strategy.id}.{ext}",
        marking=marking,
        files=files,
        withheld=pkg.withheld,
    )
