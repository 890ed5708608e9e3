"""Many users at once on a real server and a real database file: no server errors, and a
success reply only once the data is stored."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from grandstrategy.core import db as core_db
from grandstrategy.core.authz import Principal
from grandstrategy.core.config import Settings
from grandstrategy.strategy import service as strategy
from grandstrategy.web.app import create_app
from tests.conftest import unavailable
from tests.helpers import PASSWORD, make_user, small_package

ASSESSMENT = {"requirement": "energy", "criterion": "stocks", "level": 2, "target": 4}


def _app(folder: Path, url: str) -> Any:
    core_db.upgrade(url)
    app = create_app(Settings(db=url, data_dir=folder, secret_key="concurrency-" * 4))
    with app.state.factory() as s:
        strategy.import_package(s, user=Principal.operator("test"), package=small_package())
        make_user(s, "boss", "admin", "SECRET", ["NATO", "EU", "NATIONAL-ONLY"])
        make_user(s, "officer", "resilience-officer", "CONFIDENTIAL")
        s.commit()
    return app


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path, pg_url) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'busy.db'}"
        return
    if pg_url is None:
        unavailable("PostgreSQL (initdb, pg_ctl under /usr/lib/postgresql/*/bin)")
    name = f"busy_{int(time.time() * 1000) % 10**9}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    yield pg_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
    admin.dispose()


@contextmanager
def live(app: Any) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        app.state.engine.dispose()


def _token(base: str, name: str) -> httpx.Response:
    return httpx.post(
        f"{base}/api/auth/token", json={"username": name, "password": PASSWORD}, timeout=300
    )


def test_writers_readers_and_logins_get_no_server_error(tmp_path, database):
    """5 writers and 20 readers (audited CONFIDENTIAL reads among them) for a few seconds,
    after 30 simultaneous logins: every reply is below 500 and every connection survives."""
    app = _app(tmp_path, database)
    statuses: dict[str, list[int]] = {}
    lock = threading.Lock()

    def note(kind: str, status: int) -> None:
        with lock:
            statuses.setdefault(kind, []).append(status)

    with live(app) as base:
        with ThreadPoolExecutor(30) as pool:
            logins = list(pool.map(lambda _: _token(base, "boss").status_code, range(30)))
        assert logins == [200] * 30
        boss = {"Authorization": f"Bearer {_token(base, 'boss').json()['access_token']}"}
        officer = {"Authorization": f"Bearer {_token(base, 'officer').json()['access_token']}"}
        until = time.monotonic() + 4

        def writer(i: int) -> None:
            with httpx.Client(base_url=base, timeout=300) as c:
                n = 0
                while n < 4 or time.monotonic() < until:  # a slow machine still edits
                    n += 1
                    if n % 2:
                        r = c.post(
                            "/api/resilience/assessments",
                            json=ASSESSMENT | {"evidence": f"w{i}-{n}"},
                            headers=officer,
                        )
                        note("assess", r.status_code)
                    else:
                        r = c.patch(
                            "/api/strategy/threats/meddling",
                            json={"likelihood": 1 + n % 5},
                            headers=boss,
                        )
                        note("edit", r.status_code)

        def reader(i: int) -> None:
            paths = [
                "/api/strategy/objectives/zebra-cell",  # CONFIDENTIAL: each read is audited
                "/api/resilience/assessments",
                "/api/strategy/threats",
            ]
            with httpx.Client(base_url=base, timeout=300) as c:
                n = i
                while n < i + 3 or time.monotonic() < until:
                    n += 1
                    r = c.get(paths[n % len(paths)], headers=boss if n % 2 else officer)
                    note("read", r.status_code)

        with ThreadPoolExecutor(25) as pool:
            futures = [pool.submit(writer, i) for i in range(5)]
            futures += [pool.submit(reader, i) for i in range(20)]
            for f in futures:
                f.result()  # a dropped connection raises here
    errors = {k: [s for s in v if s >= 500] for k, v in statuses.items()}
    assert errors == {k: [] for k in statuses}, errors
    assert statuses["assess"].count(201) >= 5
    assert set(statuses["edit"]) == {200}


def test_a_success_reply_means_the_row_is_stored(tmp_path):
    """When the status line of a 201 leaves the app, the row is already committed: another
    connection sees it at that very moment."""
    path = tmp_path / "durable.db"
    app = _app(tmp_path, f"sqlite:///{path}")
    seen: list[tuple[int, int]] = []

    async def probe(scope: Any, receive: Any, send: Any) -> None:
        async def watch(message: Any) -> None:
            if message["type"] == "http.response.start" and scope.get("method") == "POST":
                with sqlite3.connect(path) as other:
                    rows = other.execute("SELECT count(*) FROM resilience_assessments").fetchone()
                seen.append((message["status"], rows[0]))
            await send(message)

        await app(scope, receive, watch)

    with TestClient(probe) as client:
        r = client.post("/api/auth/token", json={"username": "officer", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        seen.clear()
        for i in range(5):
            r = client.post(
                "/api/resilience/assessments",
                json=ASSESSMENT | {"evidence": str(i)},
                headers=headers,
            )
            assert r.status_code == 201
    assert seen == [(201, n) for n in range(1, 6)]
    app.state.engine.dispose()
