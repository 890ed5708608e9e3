"""Shared fixtures: databases (SQLite and a throwaway PostgreSQL cluster), users, apps.

Service and API tests take the ``db`` fixture, parametrised over both backends. Each test runs
inside a transaction that is rolled back, so tests do not see each other's data.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from grandstrategy.core import db as core_db
from grandstrategy.core import i18n
from grandstrategy.core.authz import Principal
from grandstrategy.core.config import Settings

REQUIRE_ALL = os.environ.get("GRANDSTRATEGY_REQUIRE_ALL") == "1"
SKIPPED: list[str] = []


def _pg_bin() -> Path | None:
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(d, "initdb").exists() and Path(d, "pg_ctl").exists():
            return Path(d)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def unavailable(what: str) -> None:
    """Skip (loudly) or, under GRANDSTRATEGY_REQUIRE_ALL=1, fail."""
    if REQUIRE_ALL:
        pytest.fail(f"{what} is required (GRANDSTRATEGY_REQUIRE_ALL=1) but not available")
    if what not in SKIPPED:
        SKIPPED.append(what)
    pytest.skip(f"{what} not available")


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts and ends in the default language. The CLI fixtures run
    ``grandstrategy --lang fr …`` in this process, and a command sets the language of the
    process it runs in (rightly: it is alone in it); the next test must not inherit it."""
    i18n.set_language(None)
    yield
    i18n.set_language(None)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str | None]:
    """A throwaway PostgreSQL cluster in a temporary folder, on a free port."""
    bindir = _pg_bin()
    if bindir is None:
        yield None
        return
    tmp = Path(tempfile.mkdtemp(prefix="gs-pg-"))
    data, port = tmp / "data", _free_port()
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: use the postgres account
        shutil.chown(tmp, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [
            *run_as,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "gs",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    opts = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *run_as,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            opts,
            "-l",
            str(tmp / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        url = f"postgresql+psycopg://gs@127.0.0.1:{port}/postgres"
        yield url
    finally:
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class Backend:
    name: str
    url: str
    engine: Engine


_migrated: dict[str, Backend] = {}


@pytest.fixture(scope="session")
def sqlite_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.db'}"
    core_db.upgrade(url)
    engine = core_db.make_engine(url, connect_args={"check_same_thread": False})
    yield Backend("sqlite", url, engine)
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_backend(pg_url: str | None) -> Iterator[Backend | None]:
    if pg_url is None:
        yield None
        return
    core_db.upgrade(pg_url)
    engine = core_db.make_engine(pg_url)
    yield Backend("postgres", pg_url, engine)
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> Backend:
    if request.param == "sqlite":
        b: Backend = request.getfixturevalue("sqlite_backend")
        return b
    pb: Backend | None = request.getfixturevalue("postgres_backend")
    if pb is None:
        unavailable("PostgreSQL (initdb, pg_ctl under /usr/lib/postgresql/*/bin)")
    assert pb is not None
    return pb


@pytest.fixture
def connection(backend: Backend) -> Iterator[Connection]:
    conn = backend.engine.connect()
    trans = conn.begin()
    try:
        yield conn
    finally:
        trans.rollback()
        conn.close()


@pytest.fixture
def factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions bound to the test's connection: their commits become savepoints."""
    return sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    s = factory()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def operator() -> Principal:
    return Principal.operator("test-operator")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        db="sqlite:///unused.db",
        data_dir=tmp_path,
        secret_key="test-secret-" * 4,
        vector_worker=False,  # no background thread in tests: uploads wait for their vectors
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SKIPPED:
        terminalreporter.write_line(
            "!!! SKIPPED SUITES: " + "; ".join(SKIPPED) + " — install them or run .ci/run !!!",
            red=True,
            bold=True,
        )


__all__ = ["time", "unavailable"]
