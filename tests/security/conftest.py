"""The sentinel world: one database planted tier by tier, and a copy after each tier.

The crawl users' clearances nest (see :data:`USERS`), so the database as it stood after tier k
holds exactly what user k may see, with the same ids: a response to user k from the full
database must match the response from that copy, or something they may not see changed it.
Each (database, user) pair gets its own copy, so one crawl's audit events never reach another.
Built once per session: migrations, users, planting through the API. No classifier is trained
(a training takes minutes): model-derived leaks are tested in the horizon suite.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from grandstrategy.core import db as core_db
from grandstrategy.core.authz import Principal
from grandstrategy.core.config import Settings
from grandstrategy.web.app import create_app
from tests.helpers import NEWS, PASSWORD, make_user, package_data
from tests.security.crawl import CYCLE
from tests.security.planters import MARKINGS, PLANTERS, TIERS, CrawlUser, Plant, Planted

ALL = ("NATO", "EU", "NATIONAL-ONLY")
USERS = [
    CrawlUser("crawlu", "UNCLASSIFIED", (), 0),
    CrawlUser("crawlr", "RESTRICTED", (), 1),
    CrawlUser("crawlc", "CONFIDENTIAL", (), 2),
    CrawlUser("crawls", "SECRET", ("EU", "NATIONAL-ONLY"), 3),  # SECRET, but not NATO
]
PLANTER = CrawlUser("crawlplanter", "SECRET", ALL, 5)
SECRET_KEY = "security-suite-" * 4
DB_NAME = "gs.db"


@dataclass
class Site:
    """One database folder and the app over it."""

    folder: Path
    _app: FastAPI | None = None

    @property
    def url(self) -> str:
        return f"sqlite:///{self.folder / DB_NAME}"

    @property
    def settings(self) -> Settings:
        return Settings(db=self.url, data_dir=self.folder, secret_key=SECRET_KEY, embeddings=False)

    @property
    def app(self) -> FastAPI:
        if self._app is None:
            self._app = create_app(self.settings)
        return self._app

    def copy_to(self, folder: Path) -> Site:
        """A consistent copy (SQLite backup API), with the folder's keys beside it."""
        folder.mkdir(parents=True)
        for f in self.folder.iterdir():
            if f.is_file() and not f.name.startswith(DB_NAME):
                shutil.copy2(f, folder / f.name)
        src, dst = sqlite3.connect(self.folder / DB_NAME), sqlite3.connect(folder / DB_NAME)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        return Site(folder)


@dataclass
class World:
    planted: Planted
    headers: dict[str, dict[str, str]]  # user name → API bearer header
    cookies: dict[str, dict[str, str]]  # user name → page session cookie
    full: dict[str, Site] = field(default_factory=dict)  # user → copy of the full database
    below: dict[str, Site] = field(default_factory=dict)  # user → copy after their tier


def _baseline_package() -> dict[str, Any]:
    """The small test strategy without its marked records: tier 0 holds no secrets."""
    data = package_data()
    for component in ("threats", "objectives"):
        data[component] = [r for r in data[component] if "marking" not in r]
    for o in data["objectives"]:
        o["threats"] = [t for t in o["threats"] if t != "nato-tripwire"]
    return data


def _login(client: TestClient, name: str) -> tuple[dict[str, str], dict[str, str]]:
    r = client.post("/api/auth/token", json={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    form = client.get("/login")
    csrf = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    page = client.post(
        "/login",
        data={"username": name, "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert page.status_code == 303, page.text
    cookie = {"gs_session": page.cookies["gs_session"]}
    client.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}, cookie


def _seed(site: Site) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    from grandstrategy.core.memberships import set_user_actors
    from grandstrategy.resilience.example import load_example

    with site.app.state.factory() as s:
        for u in [*USERS, PLANTER]:
            make_user(s, u.name, "admin", u.clearance, list(u.compartments))
        operator = Principal.operator("security-suite")
        # the planter reports for the objectives' owners (delivery check-ins need membership)
        set_user_actors(s, actor=operator, username=PLANTER.name, actors=["defence", "intel"])
        load_example(s, user=operator)
        s.commit()
    headers, cookies = {}, {}
    with TestClient(site.app) as client:
        for u in [*USERS, PLANTER]:
            headers[u.name], cookies[u.name] = _login(client, u.name)
        admin = headers[PLANTER.name]
        r = client.post("/api/strategy/import", json=_baseline_package(), headers=admin)
        assert r.status_code == 200, r.text
        r = client.post(
            "/api/drafting/cycles",
            json={"name": CYCLE, "pen_holder": PLANTER.name, "team": [u.name for u in USERS]},
            headers=admin,
        )
        assert r.status_code == 201, r.text
        for name, text in NEWS.items():
            r = client.post(
                "/api/horizon/documents",
                files={"file": (name, text.encode(), "text/plain")},
                data={"source": "press"},
                headers=admin,
            )
            assert r.status_code == 201, r.text
    return headers, cookies


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("sentinels")
    base = Site(root / "base")
    base.folder.mkdir()
    core_db.upgrade(base.url)
    headers, cookies = _seed(base)
    planted = Planted()
    snapshots: dict[int, Site] = {}
    with TestClient(base.app) as client:
        for tier in TIERS:
            for marking, t in MARKINGS:
                if t != tier:
                    continue
                for plant in PLANTERS.values():
                    plant(Plant(client, headers[PLANTER.name], marking, planted))
            snapshots[tier] = base.copy_to(root / f"tier{tier}")
    w = World(planted, headers, cookies)
    for u in USERS:
        w.below[u.name] = snapshots[u.tier].copy_to(root / f"below-{u.name}")
        w.full[u.name] = base.copy_to(root / f"full-{u.name}")
    yield w
