"""The published edition in all four formats, from a small package built in Python."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from pypdf import PdfReader

from grandstrategy.strategy import render
from grandstrategy.strategy.charts import budget_bars_svg, risk_matrix_svg
from grandstrategy.strategy.render_docx import write_docx
from grandstrategy.strategy.schemas import (
    Actor,
    BudgetLine,
    Capability,
    Indicator,
    Member,
    Objective,
    Package,
    Posture,
    Role,
    StrategyMeta,
    Threat,
    VitalInterest,
)

HEADINGS = [
    "1 Vital interests",
    "2 The security environment",
    "3 Ruritania's role",
    "4 Objectives",
    "5 Capabilities",
    "Annex A: Traceability",
    "Annex B: Actors and governance",
]
OWNERS = ["Ministry of Defence", "Ministry of the Interior"]
OBJECTIVES = ["Double the reserve forces", "Harden the power grid", "Exercise the crisis plan"]


def _package(**extra: object) -> Package:
    meta = StrategyMeta(
        id="ruritania-nss",
        title="Security Strategy of Ruritania",
        country="Ruritania",
        edition="Test edition",
        period={"start": dt.date(2026, 1, 1), "end": dt.date(2035, 12, 31)},
        notice="A made-up strategy for tests.",
        summary="Ruritania keeps itself safe.",
    )
    members = [Member(actor="defence", role="Minister of Defence"), Member(actor="interior")]
    actors = [
        Actor(id="council", name="Security Council", kind="council", members=members),
        Actor(id="defence", name=OWNERS[0], kind="ministry"),
        Actor(id="interior", name=OWNERS[1], kind="ministry"),
    ]  # fmt: skip
    interests = [
        VitalInterest(id="territory", title="Safe territory", statement="The land stays whole."),
        VitalInterest(id="democracy", title="Free elections", statement="Voters decide."),
        VitalInterest(id="prosperity", title="Open trade", statement="Goods keep moving."),
    ]
    threats = [
        Threat(id="invasion", title="Armed invasion", kind="threat", category="aggression",
               horizon_years=10, likelihood=2, impact=5, black_swan=True,
               interests=["territory", "gone-record"], vulnerability="Few reserves."),
        Threat(id="storms", title="Severe storms", kind="challenge", category="climate",
               horizon_years=20, likelihood=4, impact=3, interests=["prosperity"],
               marking="RESTRICTED"),
    ]  # fmt: skip
    roles = [
        Role(id="ally", name="A loyal ally", posture=Posture(ally_independent=2)),
    ]
    objectives = [
        Objective(id="reserves", title=OBJECTIVES[0], horizon=5, owner="defence",
                  deadline=dt.date(2030, 12, 31), threats=["invasion"], interests=["territory"],
                  indicators=[Indicator(name="Reservists", baseline=5000, target=10000)]),
        Objective(id="grid", title=OBJECTIVES[1], horizon=10, owner="interior",
                  threats=["storms"], interests=["prosperity"], roles=["ally"]),
        Objective(id="plan", title=OBJECTIVES[2], horizon=5, owner="interior",
                  interests=["democracy"]),
    ]  # fmt: skip
    capabilities = [
        Capability(id="army", name="Army", kind="military", owner="defence",
                   objectives=["reserves"], budget=[BudgetLine(year=2026, amount=2.5e9)]),
        Capability(id="grid-ops", name="Grid operators", kind="civil-protection",
                   owner="interior", objectives=["grid"],
                   budget=[BudgetLine(year=2027, amount=4e7)]),
    ]  # fmt: skip
    return Package(
        strategy=meta, actors=actors, interests=interests, threats=threats, roles=roles,
        objectives=objectives, capabilities=capabilities, **extra,
    )  # fmt: skip


@pytest.fixture(scope="module")
def pkg() -> Package:
    return _package()


@pytest.fixture(scope="module")
def pdf_pages(pkg: Package) -> list[str]:
    data = render.render_pdf(pkg)
    assert data.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_banner_is_the_highest_marking(pkg: Package) -> None:
    assert str(pkg.highest_marking()) == "RESTRICTED"


def test_markdown_has_every_component_and_the_owners(pkg: Package) -> None:
    md = render.render_markdown(pkg)
    for heading in HEADINGS:
        assert f"## {heading}" in md
    for name in OWNERS + OBJECTIVES:
        assert name in md
    assert md.startswith("**RESTRICTED**")
    assert "Severe storms (RESTRICTED)" in md
    assert "gone-record" not in md  # an id that does not resolve is not printed


def test_html_has_components_owners_banner_and_charts(pkg: Package) -> None:
    html = render.render_html(pkg)
    for heading in HEADINGS:
        assert heading.replace("'", "&#39;") in html
    for name in OWNERS:
        assert name in html
    assert html.count(">RESTRICTED<") >= 2  # the top and bottom banners
    assert "<svg" in html and "<?xml" not in html
    assert "faithful ally" in html and "leans towards faithful ally" in html
    assert "gone-record" not in html


def test_pdf_carries_the_banner_on_every_page(pkg: Package, pdf_pages: list[str]) -> None:
    text = "\n".join(pdf_pages)
    for needle in ("Security Strategy of Ruritania", "4 Objectives", OBJECTIVES[1]):
        assert needle in text
    assert len(pdf_pages) >= 9  # cover, contents, five components, two annexes
    for number, page in enumerate(pdf_pages, start=1):
        assert "RESTRICTED" in page, f"page {number} has no banner"
    assert f"Page 2 of {len(pdf_pages)}" in pdf_pages[1]


def test_docx_has_the_objectives_table_and_the_banner_in_the_header(pkg: Package) -> None:
    doc = Document(io.BytesIO(write_docx(pkg)))
    header = "\n".join(p.text for p in doc.sections[0].header.paragraphs)
    footer = "\n".join(p.text for p in doc.sections[0].footer.paragraphs)
    assert "RESTRICTED" in header and "RESTRICTED" in footer
    first_cells = [row.cells[0].text for t in doc.tables for row in t.rows]
    for title in OBJECTIVES:
        assert title in first_cells
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for heading in HEADINGS:
        assert heading in headings


def test_a_limited_edition_says_so_in_every_format() -> None:
    limited = _package(withheld=2, max_marking="UNCLASSIFIED")
    sentence = "This edition is limited to UNCLASSIFIED; 2 records above that marking are left out."
    assert sentence in render.render_markdown(limited)
    assert sentence in render.render_html(limited)
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(render.render_pdf(limited))).pages]
    assert all("left out" in " ".join(p.split()) for p in pages[:2])  # cover and contents
    assert sentence in " ".join(" ".join(pages[:2]).split())
    assert _docx_text(write_docx(limited)).count(sentence) == 2


def test_charts_are_deterministic_and_skip_unrated_threats(pkg: Package) -> None:
    unrated = Threat(id="unknown", title="Unknown", kind="challenge", category="none",
                     horizon_years=5)  # fmt: skip
    svg = risk_matrix_svg([*pkg.threats, unrated])
    assert svg.startswith("<svg") and svg == risk_matrix_svg([*pkg.threats, unrated])
    assert "invasion" in svg and ">unknown<" not in svg
    bars = budget_bars_svg(pkg.capabilities)
    assert "2026" in bars and "Army" in bars and "Grid operators" not in bars
    assert budget_bars_svg([]) == ""
