"""A live server on a temporary SQLite database, and Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from grandstrategy.core import db as core_db
from grandstrategy.core.authz import Principal
from grandstrategy.core.config import Settings
from grandstrategy.core.users import add_user
from grandstrategy.strategy.example import load_example
from grandstrategy.web.app import create_app
from tests.conftest import unavailable
from tests.helpers import PASSWORD

CHROMIUM = "/usr/bin/chromium"
USERS = [
    ("drafter", "drafter", "RESTRICTED", []),
    ("reader", "reader", "UNCLASSIFIED", []),
    ("admin", "admin", "SECRET", ["NATO", "EU", "NATIONAL-ONLY"]),
]


@contextmanager
def serve(
    folder: Path,
    users: list[tuple[str, str, str, list[str]]],
    loaders: list[Callable[..., object]],
) -> Iterator[str]:
    """A live app on a free port over a fresh database: each loader(session, user=operator)
    fills it, then the users are added (password PASSWORD). Yields the base URL."""
    # Uploads wait for their own vectors (stories at once): the background job is tested in
    # tests/service/test_vector_worker.py.
    settings = Settings(db=f"sqlite:///{folder / 'live.db'}", data_dir=folder, vector_worker=False)
    core_db.upgrade(settings.database_url)
    app = create_app(settings)
    with app.state.factory() as s:
        op = Principal.operator("browser-test")
        for load in loaders:
            load(s, user=op)
        for name, role, clearance, comps in users:
            add_user(
                s,
                user=op,
                username=name,
                password=PASSWORD,
                role=role,
                clearance=clearance,
                compartments=comps,
            )
        s.commit()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def open_page(browser: Any, base_url: str) -> Iterator[Any]:
    """A page in its own browser context, with a generous default timeout."""
    context = browser.new_context(base_url=base_url)
    p = context.new_page()
    p.set_default_timeout(15000)
    yield p
    context.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("live"), USERS, [load_example]) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        unavailable("Chromium (/usr/bin/chromium) for browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    yield from open_page(browser, live_server)


def login(page, name: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click('form[action="/login"] button[type=submit]')
