"""Exports through the service: the public edition leaves out what is above its marking."""

import io
import zipfile

import pytest
from docx import Document
from pypdf import PdfReader

from grandstrategy.core import audit
from grandstrategy.core.authz import Principal
from grandstrategy.strategy import service
from tests.helpers import NATO_TITLE, SECRET_TITLE, small_package


def text_of(fmt: str, content: bytes) -> str:
    if fmt == "pdf":
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    if fmt == "docx":
        doc = Document(io.BytesIO(content))
        parts = [p.text for p in doc.paragraphs]
        parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
        parts += [p.text for s in doc.sections for p in s.header.paragraphs]
        return "\n".join(parts)
    if fmt == "yaml":
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            return "".join(zf.read(n).decode() for n in zf.namelist())
    return content.decode()


@pytest.mark.parametrize("fmt", ["pdf", "docx", "md", "html", "json", "yaml"])
def test_public_edition_leaves_out_marked_records_in_every_format(session, operator, fmt):
    service.import_package(session, user=operator, package=small_package())
    full = service.export(session, user=operator, fmt=fmt)
    public = service.export(session, user=operator, fmt=fmt, max_marking="UNCLASSIFIED")
    full_text, public_text = text_of(fmt, full.content), text_of(fmt, public.content)
    if fmt not in ("pdf",):  # the PDF may break long titles across lines
        assert SECRET_TITLE in full_text and NATO_TITLE in full_text
    for hidden in (SECRET_TITLE, NATO_TITLE, "zebra-cell", "nato-tripwire"):
        assert hidden not in public_text.replace("\n", " ")
    assert "CONFIDENTIAL" not in public_text
    assert str(public.marking) == "UNCLASSIFIED" and public.withheld == 2
    if fmt in ("pdf", "docx", "md", "html"):
        flowing = " ".join(public_text.split())  # lines may break anywhere in a PDF
        assert "left out" in flowing or "withheld" in flowing
        assert "CONFIDENTIAL//NATO" in full_text  # the banner of the full edition


def test_exports_are_audited(session, operator):
    service.import_package(session, user=operator, package=small_package())
    service.export(session, user=operator, fmt="md", max_marking="RESTRICTED")
    ev = audit.list_events(session, user=Principal.operator(), action="strategy.export")[0]
    assert '"max_marking":"RESTRICTED"' in ev.after.replace(" ", "")
