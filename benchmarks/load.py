"""Load: N readers and M writers against a live server for T seconds.

Builds a fresh example database (``grandstrategy setup``: the strategy, resilience and horizon
examples), starts ``grandstrategy serve`` on it in its own process, then:

1. 30 concurrent logins (``POST /api/auth/token``), as a busy morning starts;
2. for T seconds, N readers (pages and API GETs, half of them cleared SECRET so that their
   reads of classified records are audited) and M writers (resilience assessments, horizon
   ingestion of a small document, strategy edits), each a client with its own keep-alive
   connection sending one request after another.

It prints requests/s, p50/p95/p99 per kind, the number of server errors (status >= 500) and
connection errors, then one JSON line with the same figures. It never passes or fails on time.

    python benchmarks/load.py                      # SQLite, 50 readers, 5 writers, 60 s
    python benchmarks/load.py --postgres           # a throwaway PostgreSQL cluster
    python benchmarks/load.py --db postgresql://u@host/empty_db
    python benchmarks/load.py --url http://127.0.0.1:8000 --user U --password P  # running server
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).with_name("grandstrategy")
PASSWORD = "load-test-password-1"  # noqa: S105 (a throwaway database's test users)
USERS = [  # name, role, clearance, compartments
    ("loadadmin", "admin", "SECRET", ["NATO", "EU", "NATIONAL-ONLY"]),
    ("loadreader", "analyst", "UNCLASSIFIED", []),
]
READER_PAGES = ["/strategy", "/resilience", "/horizon", "/resilience/gaps"]
READER_API = [
    "/api/strategy",
    "/api/strategy/threats",
    "/api/strategy/objectives",
    "/api/resilience/overview",
    "/api/resilience/rank",
    "/api/horizon/documents?limit=20",
    "/api/horizon/search?q=cable",
    "/api/horizon/search?q=Russia+sabotage",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def throwaway_postgres(folder: Path) -> Iterator[str]:
    """initdb + pg_ctl in a temporary folder (as the test suite's fixture does)."""
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    if not dirs:
        raise SystemExit("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin")
    bindir, port, data = Path(dirs[0]), free_port(), folder / "pg"
    folder.mkdir(parents=True, exist_ok=True)
    run_as: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    init = [str(bindir / "initdb"), "-D", str(data), "-U", "gs", "--auth=trust", "-E", "UTF8"]
    subprocess.run([*run_as, *init, "--no-sync"], check=True, capture_output=True)
    opts = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
    ctl = [*run_as, str(bindir / "pg_ctl"), "-D", str(data)]
    subprocess.run(
        [*ctl, "-o", opts, "-l", str(folder / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://gs@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*ctl, "-m", "fast", "stop"], capture_output=True)


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(BIN), *args], env=env, input=stdin, capture_output=True, text=True, check=False
    )
    if done.returncode != 0 and "already exists" not in done.stdout + done.stderr:
        raise SystemExit(f"grandstrategy {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def prepare(env: dict[str, str], *, prepared: bool = False, light: bool = False) -> None:
    """A fresh example database with the load users (``prepared``: it holds the example
    already, e.g. a copy of one made earlier; only migrate it. ``light``: only the strategy
    and resilience examples and the first threat classifier, no horizon documents: ready in a
    minute, not half an hour on a busy machine)."""
    if prepared:
        cli(env, "db", "upgrade")
    elif light:
        code = (
            "from grandstrategy.core import db; from grandstrategy.core.authz import Principal;"
            "from grandstrategy.strategy.example import load_example as s;"
            "from grandstrategy.resilience.example import load_example as r;"
            "import os; u = os.environ['GRANDSTRATEGY_DB']; db.upgrade(u);"
            "f = db.make_sessionmaker(db.make_engine(u)); op = Principal.operator('load');"
            "w = db.unit_of_work(f); x = w.__enter__(); s(x, user=op); r(x, user=op);"
            "w.__exit__(None, None, None);"
            "from grandstrategy.horizon.example import ensure_model; ensure_model(f, user=op)"
        )
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
    else:
        cli(env, "setup")
    for name, role, clearance, comps in USERS:
        extra = [x for c in comps for x in ("--compartment", c)]
        cli(
            env,
            "users",
            "add",
            name,
            "--role",
            role,
            "--clearance",
            clearance,
            *extra,
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        if prepared:  # the user may be there from an earlier run: make it what this run needs
            cli(env, "users", "set", name, "--role", role, "--clearance", clearance, *extra)
            cli(env, "users", "set", name, "--password-stdin", stdin=PASSWORD + "\n")


@contextmanager
def serve(env: dict[str, str], port: int) -> Iterator[str]:
    proc = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise SystemExit("the server did not start")
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        tracebacks = err.count("Traceback")
        if tracebacks:
            print(f"server logged {tracebacks} traceback(s); the last lines:", file=sys.stderr)
            print("\n".join(err.splitlines()[-25:]), file=sys.stderr)


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    client_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    connection_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)  # server and connection errors
    client_samples: list[str] = field(default_factory=list)
    since: float = 0.0  # time.monotonic(): requests sent before it are the warm-up's
    warmup: list[float] = field(default_factory=list)  # their latencies (errors still count)

    async def call(self, kind: str, client: httpx.AsyncClient, method: str, url: str, **kw: Any):
        warm = time.monotonic() < self.since
        t0 = time.perf_counter()
        try:
            r = await client.request(method, url, **kw)
        except httpx.HTTPError as exc:
            self.connection_errors[kind] += 1
            if len(self.samples) < 10:
                self.samples.append(f"{kind} {method} {url}: {type(exc).__name__} {exc}")
            return None
        (self.warmup if warm else self.latencies[kind]).append(time.perf_counter() - t0)
        if r.status_code >= 500:
            self.server_errors[kind] += 1
            if len(self.samples) < 10:
                self.samples.append(f"{kind} {method} {url}: {r.status_code} {r.text[:200]}")
        elif r.status_code >= 400:
            self.client_errors[kind] += 1
            if len(self.client_samples) < 5:
                self.client_samples.append(f"{kind} {method} {url}: {r.status_code} {r.text[:120]}")
        return r


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


async def token(stats: Stats, client: httpx.AsyncClient, user: str, password: str) -> str | None:
    r = await stats.call(
        "login", client, "POST", "/api/auth/token", json={"username": user, "password": password}
    )
    return r.json()["access_token"] if r is not None and r.status_code == 200 else None


async def page_cookies(base: str, user: str, password: str) -> dict[str, str]:
    """Log in through the login form once; the readers share the session cookie."""
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        r = await client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
        await client.post(
            "/login",
            data={
                "username": user,
                "password": password,
                "next": "/strategy",
                "csrf_token": csrf.group(1) if csrf else "",
            },
        )
        return dict(client.cookies)


@dataclass
class Login:
    """One user's API token and page cookies, shared by the clients acting as that user
    (the login burst is measured on its own: argon2 is slow on purpose)."""

    api: dict[str, str]
    cookies: dict[str, str]


async def login(base: str, user: str, password: str) -> Login:
    async with httpx.AsyncClient(base_url=base, timeout=300) as c:
        tok = await token(Stats(), c, user, password)
    return Login({"Authorization": f"Bearer {tok}"}, await page_cookies(base, user, password))


@dataclass
class World:
    """Ids the clients pick from, read once before the load starts."""

    classified: list[str]  # single records at CONFIDENTIAL and above: reading one is audited
    criteria: list[tuple[str, str]]
    threats: list[str]


async def discover(base: str, headers: dict[str, str]) -> World:
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=300) as c:
        docs = (await c.get("/api/horizon/documents?limit=200")).json().get("documents", [])
        secret = [
            d["id"] for d in docs if not str(d.get("marking", "")).startswith(("UNCL", "REST"))
        ]
        reqs = (await c.get("/api/resilience/requirements")).json()["requirements"]
        criteria = [(r["id"], c2["id"]) for r in reqs for c2 in r["criteria"]]
        threats = [t["id"] for t in (await c.get("/api/strategy/threats")).json()]
        urls = [f"/api/horizon/documents/{d}" for d in secret]
        for component in ("capabilities", "objectives", "threats"):  # classified records
            for rec in (await c.get(f"/api/strategy/{component}")).json():
                if not str(rec.get("marking", "")).startswith(("UNCL", "REST")):
                    urls.append(f"/api/strategy/{component}/{rec['id']}")
    return World(urls, criteria, threats)


async def pause(rng: random.Random, think: float) -> None:
    """A person's pause between two requests: exponential with mean ``think`` seconds."""
    if think > 0:
        await asyncio.sleep(rng.expovariate(1.0 / think))


async def arrive(rng: random.Random, think: float) -> None:
    """With think time, clients arrive over the first ``think`` seconds, as people do, rather
    than all in the same millisecond (a closed loop, ``think`` 0, starts them together)."""
    if think > 0:
        await asyncio.sleep(rng.uniform(0, think))


async def reader(
    stats: Stats, base: str, who: Login, world: World, until: float, seed: int, think: float
) -> None:
    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(
        base_url=base, timeout=300, limits=limits, cookies=who.cookies
    ) as client:
        await arrive(rng, think)
        while time.monotonic() < until:
            roll = rng.random()
            if roll < 0.35:
                await stats.call("page", client, "GET", rng.choice(READER_PAGES))
            elif roll < 0.8 or not world.classified:
                await stats.call("api-get", client, "GET", rng.choice(READER_API), headers=who.api)
            else:
                url = rng.choice(world.classified)
                await stats.call("classified-get", client, "GET", url, headers=who.api)
            await pause(rng, think)


async def writer(
    stats: Stats, base: str, who: Login, world: World, until: float, seed: int, think: float
) -> None:
    rng = random.Random(seed)
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    api = who.api
    async with httpx.AsyncClient(base_url=base, timeout=300, limits=limits) as client:
        await arrive(rng, think)
        n = 0
        while time.monotonic() < until:
            n += 1
            kind = ("assess", "ingest", "strategy-edit")[n % 3]
            if kind == "assess" and world.criteria:
                req, crit = rng.choice(world.criteria)
                body = {"requirement": req, "criterion": crit, "level": rng.randint(0, 5)}
                body |= {"target": 5, "evidence": f"load test {seed}-{n}"}
                await stats.call(
                    kind, client, "POST", "/api/resilience/assessments", json=body, headers=api
                )
            elif kind == "ingest":
                text = (
                    f"Load test note {seed}-{n}-{rng.random():.12f}\n\nA cyber attack disrupted "
                    f"the port of Antwerp on day {n}; investigators suspect sabotage of cables."
                )
                files = {"file": (f"note-{seed}-{n}.txt", text.encode(), "text/plain")}
                await stats.call(
                    kind, client, "POST", "/api/horizon/documents", files=files, headers=api
                )
            elif world.threats:
                rid = rng.choice(world.threats)
                body = {"likelihood": rng.randint(1, 5)}
                await stats.call(
                    kind, client, "PATCH", f"/api/strategy/threats/{rid}", json=body, headers=api
                )
            await pause(rng, think)


async def load(
    base: str,
    *,
    readers: int,
    writers: int,
    seconds: float,
    logins: int,
    admin: str,
    reader_user: str,
    think: float = 0.0,
    warmup: float = 0.0,
) -> dict[str, Any]:
    stats = Stats()
    login_stats = Stats()

    async def one_login() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=300) as c:
            await token(login_stats, c, admin, PASSWORD)

    t0 = time.perf_counter()
    await asyncio.gather(*(one_login() for _ in range(logins)))
    login_wall = time.perf_counter() - t0
    high, low = await login(base, admin, PASSWORD), await login(base, reader_user, PASSWORD)
    world = await discover(base, high.api)
    stats.since = time.monotonic() + warmup
    until = stats.since + seconds
    tasks = [
        reader(stats, base, high if i % 2 == 0 else low, world, until, i, think)
        for i in range(readers)
    ] + [writer(stats, base, high, world, until, 1000 + i, think) for i in range(writers)]
    t0 = time.perf_counter()
    await asyncio.gather(*tasks)
    wall = time.perf_counter() - t0 - warmup
    kinds = sorted(stats.latencies)
    per_kind = {
        k: {
            "requests": len(stats.latencies[k]) + stats.connection_errors[k],
            "p50_ms": round(percentile(stats.latencies[k], 0.50) * 1000, 1),
            "p95_ms": round(percentile(stats.latencies[k], 0.95) * 1000, 1),
            "p99_ms": round(percentile(stats.latencies[k], 0.99) * 1000, 1),
            "server_errors": stats.server_errors[k],
            "client_errors": stats.client_errors[k],
            "connection_errors": stats.connection_errors[k],
        }
        for k in kinds
    }
    total = sum(v["requests"] for v in per_kind.values())
    return {
        "readers": readers,
        "writers": writers,
        "think_s": think,
        "warmup_s": warmup,
        "warmup_requests": len(stats.warmup),
        "warmup_p95_ms": round(percentile(stats.warmup, 0.95) * 1000, 1),
        "seconds": round(wall, 1),
        "requests": total,
        "requests_per_s": round(total / wall, 1) if wall else 0.0,
        "server_errors": sum(stats.server_errors.values()),
        "connection_errors": sum(stats.connection_errors.values()),
        "logins": {
            "concurrent": logins,
            "ok": len(login_stats.latencies["login"])
            - login_stats.server_errors["login"]
            - login_stats.client_errors["login"],
            "server_errors": login_stats.server_errors["login"],
            "connection_errors": login_stats.connection_errors["login"],
            "p95_ms": round(percentile(login_stats.latencies["login"], 0.95) * 1000, 1),
            "wall_s": round(login_wall, 2),
        },
        "kinds": per_kind,
        "samples": stats.samples + login_stats.samples + stats.client_samples,
    }


def report(result: dict[str, Any], backend: str) -> None:
    print(
        f"{backend}: {result['readers']} readers + {result['writers']} writers for "
        f"{result['seconds']} s: {result['requests']} requests, {result['requests_per_s']} req/s, "
        f"{result['server_errors']} server errors, {result['connection_errors']} connection errors"
    )
    if result.get("warmup_s"):
        print(
            f"  warm-up of {result['warmup_s']} s before measuring: "
            f"{result['warmup_requests']} requests, p95 {result['warmup_p95_ms']} ms"
        )
    lg = result["logins"]
    print(
        f"  {lg['concurrent']} concurrent logins: {lg['ok']} ok, {lg['server_errors']} server "
        f"errors, p95 {lg['p95_ms']} ms, all done in {lg['wall_s']} s"
    )
    head = ("requests", "p50 ms", "p95 ms", "p99 ms")
    print(f"  {'kind':16} " + " ".join(f"{h:>9}" for h in head) + "   5xx   4xx  conn")
    for k, v in result["kinds"].items():
        print(
            f"  {k:16} {v['requests']:>9} {v['p50_ms']:>9} {v['p95_ms']:>9} {v['p99_ms']:>9} "
            f"{v['server_errors']:>5} {v['client_errors']:>5} {v['connection_errors']:>5}"
        )
    for s in result["samples"]:
        print(f"  e.g. {s}")
    print(json.dumps({"backend": backend, **{k: v for k, v in result.items() if k != "samples"}}))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--readers", type=int, default=50)
    ap.add_argument("--writers", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--logins", type=int, default=30)
    ap.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a client pauses between requests, as a person reading does "
        "(default 0: each client sends its next request at once, a closed loop in which the "
        "wait is clients / throughput whatever the server does)",
    )
    ap.add_argument(
        "--warmup",
        type=float,
        default=0.0,
        help="seconds the clients run before anything is measured (the first requests after a "
        "start load the encoder, charts and caches; default 0: they count)",
    )
    ap.add_argument("--db", help="an empty database URL (default: a fresh SQLite file)")
    ap.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL")
    ap.add_argument(
        "--copy", type=Path, help="a SQLite file holding the example already: load a copy of it"
    )
    ap.add_argument(
        "--prepared", action="store_true", help="--db holds the example already: only migrate"
    )
    ap.add_argument(
        "--light", action="store_true", help="strategy and resilience examples only (fast)"
    )
    ap.add_argument("--url", help="target a running server instead (with --user/--password)")
    ap.add_argument("--user", default=USERS[0][0])
    ap.add_argument("--password", default=PASSWORD)
    args = ap.parse_args(argv)

    def run(base: str, backend: str, admin: str, reader_user: str) -> None:
        result = asyncio.run(
            load(
                base,
                readers=args.readers,
                writers=args.writers,
                seconds=args.seconds,
                logins=args.logins,
                admin=admin,
                reader_user=reader_user,
                think=args.think,
                warmup=args.warmup,
            )
        )
        report(result, backend)

    if args.url:
        run(args.url.rstrip("/"), "remote", args.user, args.user)
        return 0
    with tempfile.TemporaryDirectory(prefix="gs-load-") as tmp:
        folder = Path(tmp)
        with contextmanager(_database)(args, folder) as (url, backend):
            env = {**os.environ, "GRANDSTRATEGY_DB": url, "GRANDSTRATEGY_DATA_DIR": str(folder)}
            t0 = time.perf_counter()
            prepare(env, prepared=args.copy is not None or args.prepared, light=args.light)
            print(f"example database ready in {time.perf_counter() - t0:.0f} s ({backend})")
            with serve(env, free_port()) as base:
                run(base, backend, USERS[0][0], USERS[1][0])
    return 0


def _database(args: argparse.Namespace, folder: Path) -> Iterator[tuple[str, str]]:
    if args.postgres:  # its own folder: the postgres account cannot enter ours
        cluster = Path(tempfile.mkdtemp(prefix="gs-load-pg-"))
        try:
            with throwaway_postgres(cluster) as url:
                yield url, "postgresql"
        finally:
            shutil.rmtree(cluster, ignore_errors=True)
    elif args.db:
        yield args.db, args.db.split(":", 1)[0]
    else:
        if args.copy:  # with the audit keys that signed its log, where they lie beside it
            shutil.copy(args.copy, folder / "load.db")
            if (args.copy.parent / "audit.keys").exists():
                shutil.copy(args.copy.parent / "audit.keys", folder / "audit.keys")
        yield f"sqlite:///{folder / 'load.db'}", "sqlite"


if __name__ == "__main__":
    sys.exit(main())
