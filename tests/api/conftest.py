from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from grandstrategy.strategy import service
from grandstrategy.web.app import create_app
from tests.helpers import PASSWORD, make_user, small_package


@pytest.fixture
def app(settings, factory):
    application = create_app(settings)
    application.state.factory = factory  # run inside the test's rolled-back transaction
    return application


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def loaded(session, operator):
    service.import_package(session, user=operator, package=small_package())
    session.commit()


@pytest.fixture
def token_for(client, session):
    """token_for(role, clearance, compartments) -> headers for a fresh user."""
    counter = iter(range(1000))

    def make(role: str, clearance: str = "UNCLASSIFIED", compartments=None) -> dict[str, str]:
        name = f"{role.replace('-', '')}{next(counter)}"
        make_user(session, name, role, clearance, compartments)
        session.commit()
        r = client.post("/api/auth/token", json={"username": name, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['access_token']}"}

    return make
