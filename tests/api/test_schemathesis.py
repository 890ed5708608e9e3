"""Schemathesis over the OpenAPI document: every operation, valid and invalid input, as an
administrator cleared for everything, and not one server error (status >= 500).

Bounded and repeatable: a few derandomised examples per operation and generation mode
(``GS_SCHEMATHESIS_EXAMPLES`` raises the count for a deeper run). Every case gets a fresh
bearer token, so that operations which revoke tokens or change the password do not turn the
rest of the run into 401s.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from grandstrategy.core.users import find, issue_token
from grandstrategy.resilience import service as resilience
from grandstrategy.resilience.schemas import MatrixCreate, ScenarioCreate
from grandstrategy.strategy import service as strategy
from tests.helpers import make_user, small_package

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402 (only once the import is known to work)
from schemathesis.core.errors import SerializationNotPossible  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    # schemathesis sets cookies per request and sends raw bytes as data=: both only deprecated
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
EXAMPLES = int(os.environ.get("GS_SCHEMATHESIS_EXAMPLES", "6"))


@pytest.fixture
def backend(sqlite_backend):
    """SQLite only: the run is long, and the PostgreSQL suite covers the same routes."""
    return sqlite_backend


@pytest.fixture
def filled(session, operator):
    strategy.import_package(session, user=operator, package=small_package())
    resilience.save_matrix(
        session,
        user=operator,
        data=MatrixCreate(
            name="demo",
            sectors=["energy", "transport"],
            values=[[0.0, 0.2], [0.1, 0.0]],
            active=True,
        ),
    )
    resilience.save_scenario(
        session,
        user=operator,
        data=ScenarioCreate(name="cut", title="Cut", matrix="demo", shocks={"energy": 0.3}),
    )
    make_user(session, "fuzzadmin", "admin", "SECRET", ["NATO", "EU", "NATIONAL-ONLY"])
    session.commit()


def test_no_operation_answers_a_server_error(app, client, session, filled):
    schema = schemathesis.openapi.from_dict(client.get("/openapi.json").json())
    user = find(session, "fuzzadmin")
    assert user is not None

    def auth() -> dict[str, str]:
        raw, _ = issue_token(session, user, kind="api", hours=1)
        session.commit()
        return {"Authorization": f"Bearer {raw}"}

    statuses: Counter[int] = Counter()
    errors: dict[str, str] = {}
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(client, operation, mode, auth, statuses, errors)
    cases = sum(n for status, n in statuses.items() if status)
    print(f"schemathesis: {operations} operations, {cases} cases sent, statuses {dict(statuses)}")
    assert operations > 30 and cases > operations
    assert errors == {}, "\n".join(f"{k}: {v}" for k, v in errors.items())


def _fuzz(
    client: Any,
    operation: Any,
    mode: Any,
    auth: Any,
    statuses: Counter[int],
    errors: dict[str, str],
) -> None:
    """Send EXAMPLES generated requests for one operation; note statuses and 5xx."""
    key = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        try:
            kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=auth())
        except SerializationNotPossible:
            statuses[0] += 1  # a body schemathesis cannot encode (a zip upload): not sent
            return
        for unused in ("verify", "allow_redirects", "timeout"):
            kwargs.pop(unused, None)
        try:
            response = client.request(**kwargs, follow_redirects=False)
            status, why = response.status_code, response.text[:200]
        except Exception as exc:  # the test client re-raises what the app did not catch
            status, why = 500, repr(exc)[:200]
        statuses[status] += 1
        if status >= 500:
            errors.setdefault(key, f"{status} {why} for {kwargs}")

    # Unsatisfiable: no invalid input exists for this operation. SerializationNotPossible: a
    # body schemathesis cannot encode (the zip upload of a strategy package).
    with contextlib.suppress(Unsatisfiable, SerializationNotPossible):
        run()
