"""The per-address login limit believes X-Forwarded-For only from configured proxies."""

import json
import socket
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import select

from grandstrategy.cli.admin import server_config
from grandstrategy.core import db as core_db
from grandstrategy.core.config import Settings
from grandstrategy.core.models import AuditEvent
from grandstrategy.web.app import create_app


def _fail_logins(post, n):
    """n failed logins under n different user names, each claiming another address."""
    return [
        post(
            "/api/auth/token",
            json={"username": f"nobody{i}", "password": "wrong"},
            headers={"X-Forwarded-For": f"198.51.100.{i + 1}"},
        ).status_code
        for i in range(n)
    ]


def test_served_app_ignores_forwarded_for_from_an_untrusted_local_client(tmp_path):
    """Through uvicorn as 'grandstrategy serve' runs it (uvicorn alone trusts 127.0.0.1)."""
    settings = Settings(
        db=f"sqlite:///{tmp_path / 'p.db'}",
        data_dir=tmp_path,
        max_failures_per_address=3,
        host="127.0.0.1",
    )
    core_db.upgrade(settings.database_url)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        settings.port = sock.getsockname()[1]
    server = uvicorn.Server(server_config(create_app(settings), settings))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{settings.port}") as c:
            codes = _fail_logins(c.post, 4)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert codes == [401, 401, 401, 429]  # forged addresses did not dodge the limit


@pytest.fixture
def proxied(settings, factory):
    def make(trusted: list[str]) -> TestClient:
        s = settings.model_copy(update={"trusted_proxies": trusted, "max_failures_per_address": 3})
        app = create_app(s)
        app.state.factory = factory
        return TestClient(app, client=("10.0.0.7", 40000))

    return make


def test_forwarded_for_is_ignored_by_default(proxied):
    with proxied([]) as c:
        assert _fail_logins(c.post, 4) == [401, 401, 401, 429]


def test_forwarded_for_from_a_trusted_proxy_names_the_client(proxied, session):
    with proxied(["10.0.0.0/24"]) as c:
        assert _fail_logins(c.post, 4) == [401] * 4  # four clients, one failure each
        r = c.post(
            "/api/auth/token",
            json={"username": "nobody-x", "password": "wrong"},
            headers={"X-Forwarded-For": "203.0.113.9, 192.0.2.44, 10.0.0.3"},
        )
    assert r.status_code == 401
    q = select(AuditEvent.after).where(
        AuditEvent.action == "auth.login_failed", AuditEvent.object_id == "nobody-x"
    )
    # The right-most address that is not a trusted proxy: what the client wrote is ignored.
    assert json.loads(session.execute(q).scalar_one())["address"] == "192.0.2.44"


def test_a_bad_proxy_setting_is_named():
    with pytest.raises(ValueError, match=r"trusted proxy 'proxy\.example' is not an address"):
        Settings(trusted_proxies="10.0.0.1,proxy.example")
