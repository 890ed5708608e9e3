"""The resilience JSON API: catalogue, assessments, matrices, scenarios, ranking, objectives."""

from __future__ import annotations

import datetime as dt

import pytest

from grandstrategy.resilience import service
from grandstrategy.resilience.schemas import AssessmentCreate, MatrixCreate, ScenarioCreate

SECTORS = ["energy", "transport", "health"]
A_STAR = [[0.0, 0.2, 0.1], [0.3, 0.0, 0.05], [0.25, 0.1, 0.0]]
SECRET_EVIDENCE = "Walrus stockpile ledger"  # on a SECRET assessment: must not leak
SECRET_SCENARIO = "Narwhal sabotage plot"  # a SECRET scenario's title


@pytest.fixture
def data(session, operator):
    service.save_matrix(
        session,
        user=operator,
        data=MatrixCreate(
            name="demo",
            sectors=SECTORS,
            values=A_STAR,
            provenance={"method": "expert", "source": "test workshop"},
            active=True,
        ),
    )
    for criterion, level, target, on in [
        ("stocks", 1, 4, "2025-01-10"),
        ("stocks", 2, 4, "2025-06-10"),
        ("protection", 2, 4, "2025-06-10"),
    ]:
        assess(session, operator, "energy", criterion, level, target, on)
    assess(session, operator, "transport", "critical-nodes", 3, 3, "2025-06-10")
    assess(
        session, operator, "health", "surge", 1, 5, "2025-06-11", SECRET_EVIDENCE, marking="SECRET"
    )
    for name, title, shocks, marking in [
        ("grid-cyber", "Grid cyber attack", {"energy": 0.4}, "UNCLASSIFIED"),
        ("port-closure", "Port closure", {"transport": 0.3}, "UNCLASSIFIED"),
        ("hidden-plot", SECRET_SCENARIO, {"health": 0.5}, "SECRET"),
    ]:
        service.save_scenario(
            session,
            user=operator,
            data=ScenarioCreate(
                name=name,
                title=title,
                matrix="demo",
                shocks=shocks,
                shock_steps=3,
                steps=31,
                marking=marking,
            ),
        )
    session.commit()


def assess(session, user, req, crit, level, target, on, evidence="", marking="UNCLASSIFIED"):
    service.record_assessment(
        session,
        user=user,
        data=AssessmentCreate(
            requirement=req,
            criterion=crit,
            level=level,
            target=target,
            evidence=evidence,
            assessed_on=dt.date.fromisoformat(on),
            marking=marking,
        ),
    )


def errors_of(r) -> str:
    body = r.json()
    return body["detail"] + " " + " ".join(body.get("errors") or [])


def test_catalogue_lists_the_seven_requirements_and_the_scale(client, token_for):
    r = client.get("/api/resilience/requirements", headers=token_for("analyst"))
    assert r.status_code == 200
    body = r.json()
    assert len(body["requirements"]) == 7
    assert [lv["level"] for lv in body["maturity_scale"]] == [0, 1, 2, 3, 4, 5]
    energy = next(s for s in body["requirements"] if s["id"] == "energy")
    assert any(c["id"] == "stocks" for c in energy["criteria"])


def test_officer_records_an_assessment_that_becomes_the_current_state(client, token_for, data):
    officer = token_for("resilience-officer")
    r = client.post(
        "/api/resilience/assessments",
        json={
            "requirement": "energy",
            "criterion": "stocks",
            "level": 4,
            "target": 4,
            "evidence": "Strategic gas stocks cover 90 days.",
            "assessed_on": "2025-09-01",
        },
        headers=officer,
    )
    assert r.status_code == 201, r.text
    assert r.json()["assessor"].startswith("resilienceofficer")
    history = client.get("/api/resilience/assessments?requirement=energy", headers=officer).json()
    assert history[0]["evidence"] == "Strategic gas stocks cover 90 days."  # newest first
    assert [h["level"] for h in history if h["criterion"] == "stocks"] == [4, 2, 1]
    energy = next(
        s for s in client.get("/api/resilience/overview", headers=officer).json()
        if s["requirement"] == "energy"
    )  # fmt: skip
    stocks = next(c for c in energy["criteria"] if c["criterion"] == "stocks")
    assert (stocks["level"], stocks["target"]) == (4, 4)
    assert energy["current"] == pytest.approx(3.0) and energy["gap"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"level": 7}, "level"),
        ({"target": -1}, "target"),
        ({"criterion": "no-such-criterion"}, "criterion"),
        ({"requirement": "no-such-req"}, "requirement"),
        ({"marking": "TOP-FUZZY"}, "marking"),
        ({"assessed_on": "yesterday"}, "assessed_on"),
    ],
)
def test_bad_assessment_is_refused_naming_the_field(client, token_for, change, field):
    body = {"requirement": "energy", "criterion": "stocks", "level": 2, "target": 4} | change
    r = client.post("/api/resilience/assessments", json=body, headers=token_for("admin"))
    assert r.status_code in (400, 422), r.text
    assert field in errors_of(r) or repr(change[field]) in errors_of(r)


def test_marking_above_ones_own_clearance_is_refused(client, token_for):
    body = {"requirement": "energy", "criterion": "stocks", "level": 2, "target": 4}
    r = client.post(
        "/api/resilience/assessments",
        json={**body, "marking": "SECRET"},
        headers=token_for("resilience-officer", "RESTRICTED"),
    )
    assert r.status_code == 422 and "clearance" in r.json()["detail"]


def test_who_may_do_what(client, token_for, data):
    body = {"requirement": "energy", "criterion": "stocks", "level": 2, "target": 4}
    assert client.get("/api/resilience/overview").status_code == 401
    reader = token_for("reader")  # no resilience.read
    assert client.get("/api/resilience/overview", headers=reader).status_code == 403
    analyst = token_for("analyst")  # reads, may not assess
    assert client.get("/api/resilience/overview", headers=analyst).status_code == 200
    assert client.get("/api/resilience/rank", headers=analyst).status_code == 200
    r = client.post("/api/resilience/assessments", json=body, headers=analyst)
    assert r.status_code == 403
    r = client.put(
        "/api/resilience/autonomy",
        json={"requirement": "energy", "dimension": "production", "choice": "eu"},
        headers=analyst,
    )
    assert r.status_code == 403


def test_low_clearance_sees_neither_secret_assessment_nor_secret_scenario(client, token_for, data):
    low = token_for("council-member", "RESTRICTED")
    for path in ("assessments", "overview", "rank", "scenarios"):
        r = client.get(f"/api/resilience/{path}", headers=low)
        assert r.status_code == 200
        assert SECRET_EVIDENCE not in r.text and SECRET_SCENARIO not in r.text, path
    health = next(
        s for s in client.get("/api/resilience/overview", headers=low).json()
        if s["requirement"] == "health"
    )  # fmt: skip
    assert health["assessed"] == 0 and health["gap"] is None
    assert client.get("/api/resilience/scenarios/hidden-plot", headers=low).status_code == 404
    assert client.get("/api/resilience/scenarios/hidden-plot/run", headers=low).status_code == 404
    r = client.get("/api/resilience/compare?names=grid-cyber,hidden-plot", headers=low)
    assert r.status_code == 404
    high = token_for("council-member", "SECRET")
    assert SECRET_EVIDENCE in client.get("/api/resilience/assessments", headers=high).text
    assert client.get("/api/resilience/scenarios/hidden-plot", headers=high).status_code == 200


def test_matrix_saved_listed_read_and_its_indices(client, token_for, data):
    officer = token_for("resilience-officer")
    r = client.post(
        "/api/resilience/matrices",
        json={
            "name": "pair",
            "sectors": ["energy", "finance"],
            "values": [[0.0, 0.4], [0.5, 0.0]],
            "provenance": {"method": "expert"},
        },
        headers=officer,
    )
    assert r.status_code == 201, r.text
    assert r.json()["spectral_radius"] == pytest.approx((0.4 * 0.5) ** 0.5)
    names = [m["name"] for m in client.get("/api/resilience/matrices", headers=officer).json()]
    assert names == ["demo", "pair"]
    active = client.get("/api/resilience/matrices/active", headers=officer).json()
    assert active["name"] == "demo" and active["provenance"]["source"] == "test workshop"
    assert client.get("/api/resilience/matrices/nope", headers=officer).status_code == 404
    ix = client.get("/api/resilience/indices", headers=officer).json()
    assert [i["sector"] for i in ix] == SECTORS
    assert ix[0]["title"] == "Resilient energy supplies"
    assert ix[0]["influence"] == pytest.approx((0.3 + 0.25) / 2)  # who depends on energy
    pair = client.get("/api/resilience/indices?matrix=pair", headers=officer).json()
    assert [i["sector"] for i in pair] == ["energy", "finance"]


def test_matrix_that_would_not_settle_is_refused(client, token_for):
    r = client.post(
        "/api/resilience/matrices",
        json={"name": "wild", "sectors": ["a", "b"], "values": [[0.0, 0.99], [0.99, 0.5]]},
        headers=token_for("resilience-officer"),
    )
    assert r.status_code in (400, 422)
    assert "spectral radius" in errors_of(r)


def test_scenario_runs_and_compares(client, token_for, data):
    officer = token_for("resilience-officer")
    listed = [s["name"] for s in client.get("/api/resilience/scenarios", headers=officer).json()]
    assert listed == ["grid-cyber", "port-closure"]
    run = client.get("/api/resilience/scenarios/grid-cyber/run", headers=officer).json()
    assert run["sectors"] == SECTORS and len(run["trajectory"]) == 31
    energy = next(o for o in run["outcomes"] if o["sector"] == "energy")
    transport = next(o for o in run["outcomes"] if o["sector"] == "transport")
    assert energy["shock"] == pytest.approx(0.4) and energy["peak"] >= transport["peak"] > 0
    both = client.get(
        "/api/resilience/compare", params={"names": "port-closure,grid-cyber"}, headers=officer
    ).json()
    assert [r["scenario"] for r in both] == ["port-closure", "grid-cyber"]
    assert client.get("/api/resilience/compare", headers=officer).json() == []


def test_unknown_scenario_is_404_and_a_bad_one_names_the_field(client, token_for, data):
    officer = token_for("resilience-officer")
    assert client.get("/api/resilience/scenarios/nope", headers=officer).status_code == 404
    assert client.get("/api/resilience/scenarios/nope/run", headers=officer).status_code == 404
    r = client.get("/api/resilience/compare?names=grid-cyber,nope", headers=officer)
    assert r.status_code == 404 and "nope" in r.json()["detail"]
    r = client.post(
        "/api/resilience/scenarios",
        json={"name": "x", "title": "X", "matrix": "demo", "shocks": {"energy": 1.5}},
        headers=officer,
    )
    assert r.status_code == 422 and "shocks" in errors_of(r)
    r = client.post(
        "/api/resilience/scenarios",
        json={"name": "x", "title": "X", "matrix": "demo", "shocks": {"atlantis": 0.2}},
        headers=officer,
    )
    assert r.status_code == 422 and "atlantis" in errors_of(r)


def test_rank_orders_the_gaps_by_cascade_cost_and_explains_each(client, token_for, data):
    r = client.get("/api/resilience/rank", headers=token_for("analyst", "SECRET"))
    body = r.json()
    assert "(I − A*)⁻¹" in body["formula"]
    gaps = body["gaps"]
    assert [g["rank"] for g in gaps] == list(range(1, 8))
    assert gaps[0]["requirement"] == "health"  # gap 4 on the SECRET assessment
    energy = next(g for g in gaps if g["requirement"] == "energy")
    assert energy["gap"] == pytest.approx(2.0) and energy["spillover"] > 0
    assert energy["score"] == pytest.approx(energy["system_inoperability"])
    assert all(g["reason"] for g in gaps)


def test_autonomy_choice_is_set_and_read_back(client, token_for):
    officer = token_for("resilience-officer")
    r = client.put(
        "/api/resilience/autonomy",
        json={
            "requirement": "energy",
            "dimension": "production",
            "choice": "eu",
            "rationale": "Joint gas purchasing.",
        },
        headers=officer,
    )
    assert r.status_code == 200, r.text
    choices = client.get("/api/resilience/autonomy", headers=officer).json()
    assert [(c["requirement"], c["dimension"], c["choice"]) for c in choices] == [
        ("energy", "production", "eu")
    ]
    r = client.put(
        "/api/resilience/autonomy",
        json={"requirement": "energy", "dimension": "production", "choice": "alone"},
        headers=officer,
    )
    assert r.status_code == 422 and "choice" in errors_of(r)


def test_objective_is_created_from_a_gap_and_linked_to_it(client, token_for, loaded, data):
    body = {"objective_id": "energy-stocks", "owner": "defence", "deadline": "2030-12-31"}
    officer = token_for("resilience-officer")  # may assess, may not edit the strategy
    r = client.post("/api/resilience/gaps/energy/objective", json=body, headers=officer)
    assert r.status_code == 403
    admin = token_for("admin", "SECRET")
    pen = token_for("pen-holder", "SECRET")  # edits the strategy and reads the gaps
    r = client.post("/api/resilience/gaps/energy/objective", json=body, headers=pen)
    assert r.status_code == 201, r.text
    assert r.json()["id"] == "energy-stocks" and r.json()["owner"] == "defence"
    obj = client.get("/api/strategy/objectives/energy-stocks", headers=admin).json()
    assert "energy" in obj["title"].lower()
    gaps = client.get("/api/resilience/rank", headers=admin).json()["gaps"]
    assert next(g for g in gaps if g["requirement"] == "energy")["objectives"] == ["energy-stocks"]
    r = client.post(
        "/api/resilience/gaps/energy/objective",
        json={**body, "objective_id": "Bad Id"},
        headers=admin,
    )
    assert r.status_code == 422 and "objective_id" in errors_of(r)


# --- the pages, through the test client -----------------------------------------------------


def test_pages_hide_secret_records_and_refuse_bad_forms(client, session, data):
    from tests.api.test_pages import csrf, login
    from tests.helpers import make_user

    make_user(session, "rhea", "resilience-officer", "RESTRICTED")
    session.commit()
    login(client, "rhea")
    assert client.get("/resilience/scenarios/hidden-plot").status_code == 404
    assert client.get("/resilience/scenarios/nope").status_code == 404
    assert client.get("/resilience/requirements/atlantis").status_code == 404
    assert SECRET_SCENARIO not in client.get("/resilience/scenarios").text
    page = client.get("/resilience/requirements/health")
    assert page.status_code == 200 and SECRET_EVIDENCE not in page.text
    r = client.post(
        "/resilience/requirements/health/assess",
        data={"csrf_token": csrf(page.text), "criterion": "surge", "level": "9", "target": "4"},
    )
    assert r.status_code == 422 and "level" in r.text and 'role="alert"' in r.text
    r = client.post(
        "/resilience/requirements/health/assess",
        data={"criterion": "surge", "level": "2", "target": "4"},
    )
    assert r.status_code == 403  # no CSRF token
    r = client.get("/resilience/compare?names=grid-cyber&names=port-closure")
    assert r.status_code == 200 and r.text.count('aria-label="Cascade over time') == 2


def test_pages_show_the_form_only_to_assessors(client, session, data):
    from tests.api.test_pages import login
    from tests.helpers import make_user

    make_user(session, "ivo", "analyst")
    session.commit()
    login(client, "ivo")
    page = client.get("/resilience/requirements/energy")
    assert page.status_code == 200 and "Record an assessment" not in page.text
    assert client.get("/resilience/gaps").status_code == 200
    assert client.get("/resilience/matrix").status_code == 200


def test_gap_page_creates_an_objective_for_those_who_may_edit_the_strategy(
    client, session, loaded, data
):
    from tests.api.test_pages import csrf, login
    from tests.helpers import make_user

    make_user(session, "ada", "admin", "SECRET")
    session.commit()
    login(client, "ada")
    page = client.get("/resilience/gaps")
    assert 'data-testid="objective-form-energy"' in page.text
    form = {"csrf_token": csrf(page.text), "owner": "defence", "deadline": "2030-12-31"}
    r = client.post(
        "/resilience/gaps/energy/objective",
        data={**form, "objective_id": "energy-gap", "horizon": "5"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith(
        "/strategy/objectives/energy-gap"
    )
    r = client.post("/resilience/gaps/energy/objective", data={**form, "objective_id": "Bad Id"})
    assert r.status_code == 422 and "objective_id" in r.text


# --- the forms that spare an officer the command line ---------------------------------------


def officer_on(client, session, name="rhea", role="resilience-officer"):
    from tests.api.test_pages import login
    from tests.helpers import make_user

    make_user(session, name, role, "RESTRICTED")
    session.commit()
    login(client, name)


def token_of(client, path: str) -> str:
    from tests.api.test_pages import csrf

    return csrf(client.get(path).text)


SCENARIO_FORM = {
    "name": "rail-strike",
    "title": "National rail strike",
    "description": "Two weeks without trains.",
    "matrix": "demo",
    "shock.transport": "50",
    "recovery.transport": "10",
    "shock_days": "14",
    "days": "30",
}


def test_scenario_form_creates_a_scenario_that_is_run_on_its_page(client, session, operator, data):
    officer_on(client, session)
    listing = client.get("/resilience/scenarios").text
    assert 'href="/resilience/scenarios/new"' in listing
    page = client.get("/resilience/scenarios/new?matrix=demo")
    assert page.status_code == 200 and 'name="shock.energy"' in page.text
    assert "blank: 30 days" in page.text  # the default recovery time is said
    token = token_of(client, "/resilience/scenarios/new")
    r = client.post("/resilience/scenarios/new", data=SCENARIO_FORM)
    assert r.status_code == 403  # no CSRF token
    r = client.post(
        "/resilience/scenarios/new",
        data={**SCENARIO_FORM, "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/resilience/scenarios/rail-strike?flash=")
    stored = service.get_scenario(session, user=operator, name="rail-strike")
    assert stored.shocks == {"transport": 0.5} and stored.recovery_days == {"transport": 10}
    assert (stored.shock_steps, stored.steps, stored.matrix) == (14, 31, "demo")
    shown = client.get(r.headers["location"])
    assert "Scenario created." in shown.text
    assert 'aria-label="Cascade over time' in shown.text and "National rail strike" in shown.text


@pytest.mark.parametrize(
    ("change", "field", "kept"),
    [
        ({"shock.transport": "150"}, "shock on transport", 'value="150"'),
        ({"shock.transport": ""}, "Shocks", 'value="National rail strike"'),
        ({"shock_days": "-3"}, "shock_steps", 'value="-3"'),
        ({"days": "-1"}, "steps", 'value="-1"'),
        ({"recovery.transport": "0"}, "recovery time of transport", 'value="0"'),
        ({"matrix": "atlantis"}, "matrix", "atlantis"),
        ({"name": "Bad Name"}, "name", 'value="Bad Name"'),
        ({"name": "grid-cyber"}, "name", "exists"),
    ],
)
def test_bad_scenario_form_is_shown_again_naming_the_field(
    client, session, operator, data, change, field, kept
):
    officer_on(client, session)
    token = token_of(client, "/resilience/scenarios/new")
    r = client.post(
        "/resilience/scenarios/new", data={**SCENARIO_FORM, **change, "csrf_token": token}
    )
    assert r.status_code in (409, 422) and 'role="alert"' in r.text
    alert = r.text.split('role="alert"')[1].split("</div>")[0]
    assert field in alert
    assert kept in r.text and "Two weeks without trains." in r.text  # what was typed is kept
    names = [s.name for s in service.list_scenarios(session, user=operator)]
    assert "rail-strike" not in names


def test_scenario_is_edited_through_its_form(client, session, operator, data):
    officer_on(client, session)
    page = client.get("/resilience/scenarios/grid-cyber")
    assert 'href="/resilience/scenarios/grid-cyber/edit"' in page.text
    form = client.get("/resilience/scenarios/grid-cyber/edit").text
    assert 'value="grid-cyber" readonly' in form and 'value="40"' in form  # 0.4 as a percentage
    token = token_of(client, "/resilience/scenarios/grid-cyber/edit")
    r = client.post(
        "/resilience/scenarios/grid-cyber/edit",
        data={
            "csrf_token": token,
            "name": "ignored-the-url-names-it",
            "title": "Grid cyber attack, longer",
            "matrix": "demo",
            "shock.energy": "60",
            "shock.health": "10",
            "shock_days": "5",
            "days": "40",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith(
        "/resilience/scenarios/grid-cyber?"
    )
    stored = service.get_scenario(session, user=operator, name="grid-cyber")
    assert stored.title == "Grid cyber attack, longer"
    assert stored.shocks == {"energy": 0.6, "health": 0.1} and stored.steps == 41
    assert client.get("/resilience/scenarios/nope/edit").status_code == 404


def test_autonomy_choice_is_recorded_through_its_form_with_history(client, session, operator):
    from sqlalchemy import func, select

    from grandstrategy.resilience.models import AutonomyChoice

    officer_on(client, session)
    assert 'href="/resilience/autonomy/energy"' in client.get("/resilience").text
    page = client.get("/resilience/autonomy/energy")
    assert page.status_code == 200 and 'data-testid="autonomy-form-production"' in page.text
    token = token_of(client, "/resilience/autonomy/energy")
    form = {"dimension": "production", "choice": "eu", "rationale": "Joint gas purchasing."}
    assert client.post("/resilience/autonomy/energy", data=form).status_code == 403
    r = client.post(
        "/resilience/autonomy/energy", data={**form, "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303 and "flash=" in r.headers["location"]
    r = client.post(
        "/resilience/autonomy/energy",
        data={**form, "choice": "partner", "rationale": "US LNG.", "csrf_token": token},
    )
    assert r.status_code == 200 and "production capacity → partners" in r.text
    choices = service.autonomy(session, user=operator)
    assert [(c.dimension, c.choice, c.rationale) for c in choices] == [
        ("production", "partner", "US LNG.")
    ]
    count = session.execute(select(func.count()).select_from(AutonomyChoice)).scalar()
    assert count == 2  # the first choice is kept in the history
    r = client.post(
        "/resilience/autonomy/energy",
        data={**form, "choice": "alone", "rationale": "Autarky.", "csrf_token": token},
    )
    assert r.status_code == 422 and "choice" in r.text and "Autarky." in r.text
    assert client.get("/resilience/autonomy/atlantis").status_code == 404


def _upload(client, token, csv_text, **fields):
    return client.post(
        "/resilience/matrix/upload",
        data={"csrf_token": token, "name": "upload", **fields},
        files={"file": ("workshop.csv", csv_text.encode(), "text/csv")},
        follow_redirects=False,
    )


def test_matrix_csv_upload_is_stored_with_provenance_or_refused_naming_the_line(
    client, session, operator, data
):
    officer_on(client, session)
    page = client.get("/resilience/matrix")
    assert 'data-testid="upload-form"' in page.text and 'data-testid="score-grid"' in page.text
    token = token_of(client, "/resilience/matrix")
    good = "sector,energy,transport\nenergy,0,0.3\ntransport,0.2,0\n"
    assert client.post("/resilience/matrix/upload", data={"name": "x"}).status_code == 403
    r = _upload(client, token, "sector,energy,transport\nenergy,0,0.3\ntransport,zero,0\n")
    assert r.status_code == 422 and "workshop.csv, line 3" in r.text
    assert 'value="upload"' in r.text  # the name typed is kept
    r = _upload(client, token, "sector,energy,transport\nenergy,0,0.99\ntransport,0.99,0.5\n")
    assert r.status_code == 422 and "spectral radius" in r.text
    assert [m.name for m in service.list_matrices(session, user=operator)] == ["demo"]
    r = _upload(client, token, good, name="demo")
    assert r.status_code == 409 and "replace it" in r.text  # no silent overwrite
    r = _upload(client, token, good, active="on")
    assert r.status_code == 303 and r.headers["location"].startswith(
        "/resilience/matrix?name=upload&flash="
    )
    stored = service.get_matrix(session, user=operator, name="upload")
    assert stored.values == [[0.0, 0.3], [0.2, 0.0]] and stored.active
    assert stored.provenance["method"] == "csv" and stored.provenance["source"] == "workshop.csv"
    shown = client.get(r.headers["location"]).text
    assert "workshop.csv" in shown and "It is now the active matrix." in shown


def test_an_upload_over_the_limit_is_refused_and_nothing_stored(client, session, operator, data):
    officer_on(client, session)
    token = token_of(client, "/resilience/matrix")
    limit = client.app.state.settings.max_upload_bytes
    big = "sector,energy\nenergy,0" + " " * (limit + 10) + "\n"
    r = _upload(client, token, big)
    assert r.status_code == 413 and str(limit) in r.text
    assert "text/html" in r.headers["content-type"] and "Nothing was stored" in r.text
    assert [m.name for m in service.list_matrices(session, user=operator)] == ["demo"]


def test_consequence_grid_is_converted_by_the_rule_and_stored(client, session, operator, data):
    officer_on(client, session)
    page = client.get("/resilience/matrix")
    assert "Severe" in page.text and "more than half its function" in page.text  # the scale
    token = token_of(client, "/resilience/matrix")
    form = {
        "csrf_token": token,
        "name": "workshop",
        "source": "Workshop, May",
        "include": ["energy", "transport"],
        "score.energy.transport": "3",
        "score.transport.energy": "5",
        "score.energy.health": "5",  # health is not included: ignored
    }
    r = client.post("/resilience/matrix/scores", data={**form, "score.energy.transport": "9"})
    assert (
        r.status_code == 422
        and "[energy, transport]" in r.text
        and 'value="Workshop, May"' in r.text
    )
    everything = {
        f"score.{a}.{b}": "5"
        for a in ("energy", "transport", "health")
        for b in ("energy", "transport", "health")
    }
    r = client.post(
        "/resilience/matrix/scores",
        data={**form, **everything, "include": ["energy", "transport", "health"]},
    )
    assert r.status_code == 422 and "spectral radius" in r.text
    r = client.post("/resilience/matrix/scores", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    stored = service.get_matrix(session, user=operator, name="workshop")
    assert stored.sectors == ["energy", "transport"]
    assert stored.values == [[0.0, 0.2], [0.6, 0.0]] and not stored.active
    assert stored.provenance["method"] == "expert-consequence-scale"
    assert stored.provenance["scores"] == [[0, 3], [5, 0]]
    shown = client.get("/resilience/matrix?name=workshop").text
    assert "Workshop, May" in shown and 'data-testid="activate-form"' in shown
    r = client.post(
        "/resilience/matrix/activate",
        data={"csrf_token": token, "name": "workshop"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert service.get_matrix(session, user=operator).name == "workshop"
    assert service.get_matrix(session, user=operator, name="workshop").values == stored.values


def test_readers_without_the_right_get_no_forms_and_403_on_post(client, session, data):
    officer_on(client, session, "ivo", "analyst")
    pages = {
        "/resilience": "/resilience/autonomy/",
        "/resilience/scenarios": "/resilience/scenarios/new",
        "/resilience/scenarios/grid-cyber": "/edit",
        "/resilience/matrix": "upload-form",
    }
    for path, form in pages.items():
        r = client.get(path)
        assert r.status_code == 200 and form not in r.text, path
    assert 'data-testid="activate-form"' not in client.get("/resilience/matrix?name=demo").text
    for path in ("/resilience/scenarios/new", "/resilience/scenarios/grid-cyber/edit"):
        assert client.get(path).status_code == 403, path
    assert client.get("/resilience/autonomy/energy").status_code == 403
    token = token_of(client, "/resilience/matrix")
    for path, body in [
        ("/resilience/scenarios/new", SCENARIO_FORM),
        ("/resilience/scenarios/grid-cyber/edit", SCENARIO_FORM),
        ("/resilience/autonomy/energy", {"dimension": "decision", "choice": "eu"}),
        ("/resilience/matrix/scores", {"name": "m", "include": ["energy"]}),
        ("/resilience/matrix/upload", {"name": "m"}),
        ("/resilience/matrix/activate", {"name": "demo"}),
    ]:
        r = client.post(path, data={**body, "csrf_token": token})
        assert r.status_code == 403, path


def test_a_streamed_upload_over_the_limit_is_shown_on_the_form(client, session, operator, data):
    """Without a Content-Length the request gets past the app's size check: the form's own
    check stops the file at the limit and says so."""
    officer_on(client, session)
    token = token_of(client, "/resilience/matrix")
    limit = client.app.state.settings.max_upload_bytes
    b = "gs-boundary"
    body = (
        f'--{b}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{b}\r\nContent-Disposition: form-data; name="name"\r\n\r\nhuge\r\n'
        f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="huge.csv"\r\n'
        "Content-Type: text/csv\r\n\r\nsector,energy\nenergy,0" + " " * limit + f"\r\n--{b}--\r\n"
    ).encode()
    chunks = (body[i : i + (1 << 20)] for i in range(0, len(body), 1 << 20))
    r = client.post(
        "/resilience/matrix/upload",
        content=chunks,
        headers={"content-type": f"multipart/form-data; boundary={b}"},
    )
    assert r.status_code == 422 and "huge.csv is over the" in r.text and 'value="huge"' in r.text
    assert [m.name for m in service.list_matrices(session, user=operator)] == ["demo"]
