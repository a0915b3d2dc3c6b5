"""Exam load benchmark: thousands of candidates saving answers against a real server.

    uv run python bench/exam_load.py                       # the default run, ~9 minutes
    uv run python bench/exam_load.py --candidates 200 --duration 20 --kill-worker 0 --storm 0

Per scenario, on a fresh PostgreSQL database: an open theory sitting with N seated,
approved candidates and the classic 200-item paper (``bench/exam_load_world.py`` builds
it through the services once, into a template database that each scenario copies), then
``gunicorn skillcert.config.wsgi`` with production settings and ``manage.py db_worker``,
then simulated candidates (``bench/exam_load_client.py``: asyncio + aiohttp, HTTP/1.1
keep-alive, one connection pool per candidate) against the exam API at /api/v1/exam/.

Scenarios:

* **load** (``--candidates 500,2000``): every candidate signs in and fetches the paper
  (starts spread over ``--ramp`` seconds), then, against the same server and with the
  same candidates' connections, the **baseline**: each candidate GETs ``/healthz`` (a
  request through the whole middleware stack with one database round trip) at the
  same pace as the saves will come, for ``--baseline`` seconds; then a short **capacity**
  probe (``--capacity-clients`` candidates back to back, first ``/healthz`` then saves);
  then the **saves**: each candidate saves an answer about every ``--save-interval``
  seconds for ``--duration`` seconds (random position, ``seq`` growing per position;
  ``--stale`` of them followed by a re-sent old ``seq`` that must get 409, ``--pair`` of
  them sent as two concurrent saves of one position). Then everyone submits.
* **killed worker** (``--kill-worker N``): the same load without baseline and capacity;
  ``--kills`` times, evenly through the run, the busiest gunicorn worker gets SIGKILL.
  Clients retry what got no response with the same ``seq`` (a 409 whose stored ``seq``
  equals the retried one acknowledges it: the first try had been committed).
* **start storm** (``--storm N``): N candidates sign in and fetch the paper all at once
  (or spread over ``--storm-spread`` seconds). When a load run has N candidates, its
  sign-in is the storm; otherwise the storm runs alone.

After each scenario the client's ledgers are compared with PostgreSQL (read directly):
**lost** = an acknowledged (position, seq) that the database holds at an older seq;
**out of order** = a stale write the server acknowledged, or a row holding an older
write of the client than one acknowledged, or a different answer at the acknowledged
seq. Both must be 0 (exit status 1 otherwise). Figures are ratios against the baseline
measured in the same process: saves/s ÷ /healthz requests/s at the same pacing, and
save capacity ÷ /healthz capacity.

PostgreSQL: ``--postgres URL`` (default ``$BENCH_POSTGRES_URL``, else ``$DATABASE_URL``
when it is PostgreSQL, else ``postgres://postgres@127.0.0.1:5432/skillcert_bench``). The
bench creates ``<name>_exam_<pid>_*`` databases and drops them at the end (the role
needs CREATEDB). All traffic goes to 127.0.0.1; every phase is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]

from exam_load_client import (  # noqa: E402 - after the path set-up
    API,
    Candidate,
    Metrics,
    flat_out,
    healthz,
    paced,
    percentile,
    saving,
    sign_in_all,
)

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/skillcert_bench"
BENCH_KEY = "YmVuY2gtZXhhbS1sb2FkLWtleS0wMTIzNDU2Nzg5YWI="  # 32 bytes, base64; bench data only
SERVER_START_TIMEOUT = 60.0
PROXY_TIMEOUT = 60.0  # nginx's default proxy_read_timeout: slower answers would be cut
STORM_TARGET = 60.0  # seconds for every candidate of the storm to hold the paper


# ---------------------------------------------------------------- databases


def postgres_url(args: argparse.Namespace) -> str:
    if args.postgres:
        return str(args.postgres)
    env = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    return env if env.startswith(("postgres://", "postgresql://")) else DEFAULT_POSTGRES


def scratch_url(base: str, suffix: str) -> str:
    parts = urlsplit(base)
    name = parts.path.lstrip("/") or "skillcert_bench"
    return urlunsplit(parts._replace(path=f"/{name}_exam_{os.getpid()}_{suffix}"))


def db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def admin_execute(url: str, *statements: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def create_database(url: str, template: str | None = None) -> None:
    name = db_name(url)
    copy = f' TEMPLATE "{db_name(template)}"' if template else ""
    admin_execute(
        url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"{copy}'
    )


def drop_database(url: str) -> None:
    admin_execute(url, f'DROP DATABASE IF EXISTS "{db_name(url)}" WITH (FORCE)')


# ---------------------------------------------------------------- processes


def django_env(url: str, workdir: Path, conn_max_age: int, site: str = "") -> dict[str, str]:
    """Production settings (see README "Production notes"), on this machine's loopback."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="skillcert.config.settings",
        DATABASE_URL=url,
        DB_CONN_MAX_AGE=str(conn_max_age),
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),
        SKILLCERT_DATA_KEY=BENCH_KEY,
        SKILLCERT_VAR_DIR=str(workdir),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=site or "http://127.0.0.1:8000",
        SECURE_HTTPS="false",  # no TLS terminator in front here
        TASKS_BACKEND="db",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
    )
    return env


def run_child(args: argparse.Namespace, step: str, url: str, workdir: Path, **extra: int) -> Any:
    """Build part of the world in a child process on ``url``; returns its JSON result."""
    out = workdir / f"{step}.json"
    command = [sys.executable, __file__, "--child", step, "--database-url", url, "--out", str(out)]
    for key, value in extra.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    env = django_env(url, workdir, 0)
    subprocess.run(command, env=env, cwd=ROOT, check=True)  # noqa: S603 - our own script
    return json.loads(out.read_text())


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    import exam_load_world as world

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    if args.child == "template":
        result = world.build_template(args.max_candidates, log)
    else:
        result = world.build_sitting(args.candidates[0], log)
    Path(args.out).write_text(json.dumps(result))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """gunicorn with the project's WSGI app, and the task worker beside it."""

    args: argparse.Namespace
    url: str
    workdir: Path
    port: int = 0
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self) -> None:
        """Start both processes; :meth:`wait_ready` waits for the workers to boot (each
        imports the project: ~10 s for four on two cores, overlapped with the build)."""
        self.port = free_port()
        (self.workdir / "static").mkdir(exist_ok=True)
        env = django_env(self.url, self.workdir, self.args.conn_max_age, self.base)
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "skillcert.config.wsgi",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={self.args.workers}",
            f"--worker-class={self.args.worker_class}",
            # gunicorn turns sync workers with threads into gthread ones
            f"--threads={self.args.threads if self.args.worker_class == 'gthread' else 1}",
            "--worker-connections=5000",  # gthread: connections per worker, idle ones too
            "--keep-alive=75",  # as a reverse proxy would keep client connections
            "--backlog=4096",
            "--timeout=120",
            f"--control-socket={self.workdir / 'gunicorn.ctl'}",  # not the shared ~/.gunicorn
        ]
        worker = [sys.executable, "manage.py", "db_worker"]
        for command, name in ((gunicorn, "gunicorn.log"), (worker, "db_worker.log")):
            with open(self.workdir / name, "ab") as log:
                self.processes.append(
                    subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)  # noqa: S603
                )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.processes[0].poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.workdir / 'gunicorn.log'}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:  # noqa: S310 - loopback
                    if response.status == 200 and len(self.worker_pids()) == self.args.workers:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"the server did not come up; see {self.workdir / 'gunicorn.log'}")

    def worker_pids(self) -> list[int]:
        master = self.processes[0].pid
        children = Path(f"/proc/{master}/task/{master}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill_worker(self) -> int:
        """SIGKILL the busiest worker (most CPU used over the last 0.2 s)."""
        pids = self.worker_pids()
        before = {pid: cpu_ticks(pid) for pid in pids}
        time.sleep(0.2)
        pid = max(pids, key=lambda p: cpu_ticks(p) - before[p])
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        # gunicorn: SIGINT is the quick shutdown (no waiting for keep-alive connections).
        for process, sig in zip(self.processes, (signal.SIGINT, signal.SIGTERM), strict=False):
            if process.poll() is None:
                process.send_signal(sig)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


# ---------------------------------------------------------------- scenarios


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def latency(
    metrics: Metrics, kind: str, start: float = 0.0, end: float = float("inf")
) -> dict[str, float]:
    values = metrics.between(kind, start, end)
    return {
        "n": len(values),
        "p50_ms": percentile(values, 0.50) * 1000,
        "p99_ms": percentile(values, 0.99) * 1000,
        "max_ms": max(values, default=float("nan")) * 1000,
    }


def use(candidates: list[Candidate], metrics: Metrics) -> Metrics:
    for candidate in candidates:
        candidate.metrics = metrics
    return metrics


async def scenario_load(
    args: argparse.Namespace,
    server: Server,
    credentials: list[list[str]],
    *,
    kill: bool,
    spread: float,
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    candidates = [
        Candidate(server.base, admission, number, Metrics(), seed=n)
        for n, (admission, number) in enumerate(credentials)
    ]
    for candidate in candidates:
        candidate.open()
    try:
        result["sign_in"] = await _sign_in(candidates, spread)
        ready = [c for c in candidates if c.ready]
        if not kill:
            result["baseline"] = await _baseline(args, ready)
            if args.capacity > 0:
                result["capacity"] = await _capacity(args, ready)
        result["saves"] = await _saves(args, server, ready, kill=kill)
        metrics = use(ready, Metrics())
        statuses = await asyncio.gather(*(c.submit() for c in ready))
        result["submit"] = {"statuses": dict(Counter(statuses)), **latency(metrics, "submit:200")}
    finally:
        await asyncio.gather(*(c.close() for c in candidates))
    result["candidates"] = candidates
    return result


async def _sign_in(candidates: list[Candidate], spread: float) -> dict[str, Any]:
    metrics = use(candidates, Metrics())
    start, last = await sign_in_all(candidates, spread)
    failures = Counter(c.failure.split(" {")[0][:60] for c in candidates if not c.ready)
    slow = [x for x in metrics.latencies.get("login:200", []) if x > PROXY_TIMEOUT]
    slow += [x for x in metrics.latencies.get("fetch:200", []) if x > PROXY_TIMEOUT]
    return {
        "spread_s": spread,
        "ready": sum(c.ready for c in candidates),
        "last_ready_s": last - start,
        "over_proxy_timeout": len(slow),
        "failures": dict(failures),
        "login": latency(metrics, "login:200"),
        "fetch": latency(metrics, "fetch:200"),
        "counts": dict(metrics.counts),
    }


async def _baseline(args: argparse.Namespace, ready: list[Candidate]) -> dict[str, Any]:
    metrics = use(ready, Metrics())
    cpu = cpu_seconds()
    start = await paced(ready, args.baseline, args.save_interval, healthz, seed=2)
    end = time.monotonic()
    done = metrics.between("healthz:200", start, end)
    return {
        "seconds": end - start,
        "per_s": len(done) / (end - start),
        "errors": sum(v for k, v in metrics.counts.items() if "error" in k),
        "client_cpu": (cpu_seconds() - cpu) / (end - start),
        **latency(metrics, "healthz:200", start, end),
    }


async def _capacity(args: argparse.Namespace, ready: list[Candidate]) -> dict[str, Any]:
    probe = ready[: args.capacity_clients]
    metrics = use(probe, Metrics())
    h_start = await flat_out(probe, args.capacity, healthz)
    h_end = time.monotonic()
    s_start = await flat_out(probe, args.capacity, saving(0.0, 0.0))
    s_end = time.monotonic()
    health = len(metrics.between("healthz:200", h_start, h_end)) / (h_end - h_start)
    saves = len(metrics.between("save:200", s_start, s_end)) / (s_end - s_start)
    return {
        "clients": len(probe),
        "healthz_per_s": health,
        "saves_per_s": saves,
        "ratio": saves / health if health else float("nan"),
        "healthz": latency(metrics, "healthz:200", h_start, h_end),
        "save": latency(metrics, "save:200", s_start, s_end),
    }


async def _saves(
    args: argparse.Namespace, server: Server, ready: list[Candidate], *, kill: bool
) -> dict[str, Any]:
    metrics = use(ready, Metrics())
    killed: list[dict[str, Any]] = []

    start = time.monotonic()

    async def kill_during() -> None:
        # SIGKILL the busiest worker at 1/(k+1), 2/(k+1), … of the run.
        for n in range(1, args.kills + 1):
            at = args.duration * n / (args.kills + 1)
            await asyncio.sleep(at - (time.monotonic() - start))
            pid = await asyncio.to_thread(server.kill_worker)
            killed.append({"pid": pid, "at_s": round(time.monotonic() - start, 1)})

    killer = asyncio.create_task(kill_during()) if kill else None
    cpu = cpu_seconds()
    act = saving(args.stale, args.pair)
    start = await paced(ready, args.duration, args.save_interval, act, seed=3)
    end = time.monotonic()
    if killer is not None:
        await killer
    acknowledged = metrics.n("save_ack")
    return {
        "seconds": end - start,
        "offered_per_s": len(ready) / args.save_interval,
        "acknowledged": acknowledged,
        "per_s": acknowledged / (end - start),
        "client_cpu": (cpu_seconds() - cpu) / (end - start),
        "save": latency(metrics, "save:200", start, end),
        "counts": dict(sorted(metrics.counts.items())),
        "killed": killed,
    }


async def warm_up(base: str, requests: int) -> None:
    """Touch every code path once per worker thread before measuring (the first request
    in a worker imports the API modules; the first in a thread opens its connection):
    /healthz, a sign-in with an admission number that does not exist, and the attempt
    and a save with a token that does not exist (all refused with 401)."""
    calls = [
        ("GET", "/healthz", None, 200),
        ("POST", f"{API}/login", {"admission_number": "WARMUP", "id_number": "0"}, 401),
        ("GET", f"{API}/attempt", None, 401),
        ("PUT", f"{API}/attempt/answers/1", {"answer": ["A"], "seq": 1}, 401),
    ]
    headers = {"Authorization": "Bearer warm-up-token"}
    async with aiohttp.ClientSession(base_url=base) as session:

        async def one(method: str, path: str, body: Any, expected: int) -> None:
            async with session.request(method, path, json=body, headers=headers) as response:
                await response.read()
                if response.status != expected:
                    raise SystemExit(f"warm-up: {method} {path} → {response.status}")

        for method, path, body, expected in calls:
            await asyncio.gather(*(one(method, path, body, expected) for _n in range(requests)))


async def scenario_storm(
    server: Server, credentials: list[list[str]], spread: float
) -> dict[str, Any]:
    candidates = [
        Candidate(server.base, admission, number, Metrics(), seed=n)
        for n, (admission, number) in enumerate(credentials)
    ]
    for candidate in candidates:
        candidate.open()
    result: dict[str, Any] = {}
    try:
        result["sign_in"] = await _sign_in(candidates, spread)
    finally:
        await asyncio.gather(*(c.close() for c in candidates))
    result["candidates"] = candidates
    return result


# ---------------------------------------------------------------- the database's view


def normalise(value: Any) -> Any:
    return sorted(value) if isinstance(value, list) else value


def verify(url: str, candidates: list[Candidate], paper_items: int) -> dict[str, Any]:
    """Compare every candidate's ledger with the answer rows in PostgreSQL."""
    import psycopg

    rows: dict[str, dict[int, tuple[int, Any]]] = {}
    with psycopg.connect(url) as conn:
        found = conn.execute(
            """
            SELECT ap.admission_number, a.position, a.seq, a.response
            FROM exams_answer a
            JOIN exams_attempt t ON t.id = a.attempt_id
            JOIN enrollment_seatassignment s ON s.id = t.seat_id
            JOIN enrollment_application ap ON ap.id = s.application_id
            """
        )
        for admission, position, seq, response in found:
            rows.setdefault(admission, {})[position] = (seq, response)
        by_status = "SELECT status, count(*) FROM exams_attempt GROUP BY status"
        attempts: dict[str, int] = dict(conn.execute(by_status).fetchall())
        graded = conn.execute(
            "SELECT count(*) FROM exams_attempt WHERE grading_status <> 'pending'"
        ).fetchone()
    check = Counter[str]()
    for candidate in candidates:
        if not candidate.token:
            continue
        held = rows.get(candidate.admission_number, {})
        check["attempts"] += 1
        check["short_attempts"] += len(held) != paper_items
        for position in range(1, paper_items + 1):
            _compare(candidate, position, held.get(position), check)
    check["stale_accepted"] = sum(c.metrics.n("stale_accepted") for c in candidates)
    return {
        "attempts_by_status": attempts,
        "graded": graded[0] if graded else 0,
        **check,
        "lost": check["lost"],
        "out_of_order": check["older_write_kept"] + check["wrong_answer"] + check["stale_accepted"],
    }


def _compare(
    candidate: Candidate, position: int, row: tuple[int, Any] | None, check: Counter[str]
) -> None:
    seq, response = row if row is not None else (-1, None)
    sent = candidate.history.get(position, {})
    acked = candidate.acked.get(position)
    if acked is not None:
        check["acknowledged"] += 1
        acked_seq, acked_answer = acked
        if seq < acked_seq:
            check["lost"] += 1
            if seq in sent and normalise(sent[seq]) == normalise(response):
                check["older_write_kept"] += 1  # an older write overwrote a newer one
        elif seq == acked_seq and normalise(response) != normalise(acked_answer):
            check["wrong_answer"] += 1
        elif seq > acked_seq:
            check["newer_unacknowledged_kept"] += 1  # a save whose answer was lost
    if seq > 0 and (seq not in sent or normalise(sent[seq]) != normalise(response)):
        check["unknown_write"] += 1  # nothing this client sent
    if seq < 0:
        check["missing_row"] += 1


# ---------------------------------------------------------------- running it all


@dataclass(frozen=True)
class Run:
    label: str
    kind: str  # load, kill or storm
    candidates: int
    spread: float  # seconds the sign-ins are spread over


def run_scenario(args: argparse.Namespace, run: Run, template: str, tmp: Path) -> dict[str, Any]:
    url = scratch_url(postgres_url(args), run.label)
    workdir = tmp / run.label
    workdir.mkdir()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\n== {run.label}: {run.kind}, {run.candidates:,} candidates "
        f"(machine load average before: {load})",
        flush=True,
    )
    create_database(url, template)
    server = Server(args, url, workdir)
    try:
        server.spawn()
        world = run_child(args, "sitting", url, workdir, candidates=run.candidates)
        print(
            f"  sitting {world['sitting']} open, paper of {world['paper_items']} items", flush=True
        )
        server.wait_ready()
        asyncio.run(warm_up(server.base, args.workers * 8))
        print(f"  server ready and warmed up at {server.base}", flush=True)
        credentials = world["credentials"]
        if run.kind == "storm":
            result = asyncio.run(scenario_storm(server, credentials, run.spread))
        else:
            kill = run.kind == "kill"
            result = asyncio.run(
                scenario_load(args, server, credentials, kill=kill, spread=run.spread)
            )
        time.sleep(args.grade_wait)
        result["db"] = verify(url, result.pop("candidates"), world["paper_items"])
    finally:
        server.stop()
        if not args.keep:
            drop_database(url)
    result.update(label=run.label, kind=run.kind, candidates=run.candidates)
    report(result)
    return result


def ms(values: dict[str, float]) -> str:
    return f"p50 {values['p50_ms']:,.0f} ms, p99 {values['p99_ms']:,.0f} ms (n={values['n']:,})"


def report(r: dict[str, Any]) -> None:
    s = r["sign_in"]
    print(
        f"  sign-in: {s['ready']:,}/{r['candidates']:,} hold the paper "
        f"{s['last_ready_s']:.1f} s after the first start (starts spread over "
        f"{s['spread_s']:g} s); over {PROXY_TIMEOUT:.0f} s: {s['over_proxy_timeout']}; "
        f"failures: {s['failures'] or 'none'}"
    )
    print(f"    login {ms(s['login'])}; fetch {ms(s['fetch'])}")
    if "baseline" in r:
        b = r["baseline"]
        print(f"  baseline /healthz at the saves' pace: {b['per_s']:.0f}/s, {ms(b)}")
    if "capacity" in r:
        c = r["capacity"]
        print(
            f"  capacity, {c['clients']} clients back to back: /healthz "
            f"{c['healthz_per_s']:.0f}/s ({ms(c['healthz'])}), saves {c['saves_per_s']:.0f}/s "
            f"({ms(c['save'])})"
        )
    if "saves" in r:
        v = r["saves"]
        print(
            f"  saves: {v['acknowledged']:,} acknowledged in {v['seconds']:.0f} s = "
            f"{v['per_s']:.0f}/s (offered {v['offered_per_s']:.0f}/s), {ms(v['save'])}; "
            f"client CPU {v['client_cpu']:.0%} of a core"
        )
        print(f"    {v['counts']}")
        for k in v["killed"]:
            print(f"    SIGKILLed worker {k['pid']} at {k['at_s']:.1f} s")
        print(f"  submit: {r['submit']['statuses']}, {ms(r['submit'])}")
    d = r["db"]
    print(
        f"  database: attempts {d['attempts_by_status']}, graded {d['graded']}; "
        f"acknowledged answers {d.get('acknowledged', 0):,}: lost {d['lost']}, "
        f"out of order {d['out_of_order']}; unknown writes {d.get('unknown_write', 0)}, "
        f"attempts without all answer rows {d.get('short_attempts', 0)}, stored but "
        f"unacknowledged {d.get('newer_unacknowledged_kept', 0)}",
        flush=True,
    )


def summary(args: argparse.Namespace, results: list[dict[str, Any]]) -> bool:
    print(
        f"\n== Summary: {args.workers} {args.worker_class} workers"
        f"{f' × {args.threads} threads' if args.worker_class == 'gthread' else ''}; "
        f"a save every {args.save_interval:g} s ±50% per candidate, {args.duration:g} s a run\n"
    )
    print(
        "| run | candidates | saves/s (offered) | save p50 / p99 ms | /healthz/s, same pace "
        "| saves ÷ /healthz | capacity: saves ÷ /healthz | lost | out of order |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    ok = True
    for r in results:
        d = r["db"]
        ok = ok and d["lost"] == d["out_of_order"] == d.get("unknown_write", 0) == 0
        if "saves" in r:
            print(summary_row(r))
    storms = [r for r in results if r["candidates"] == args.storm and r["kind"] != "kill"]
    if storms:
        print(
            "\n| start storm | candidates | starts spread over | last holds the paper after "
            "| login p50 / p99 ms | fetch p50 / p99 ms | failed |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in storms:
            s = r["sign_in"]
            print(
                f"| {r['label']} | {r['candidates']:,} | {s['spread_s']:g} s | "
                f"{s['last_ready_s']:.1f} s (target {STORM_TARGET:.0f} s) | "
                f"{s['login']['p50_ms']:,.0f} / {s['login']['p99_ms']:,.0f} | "
                f"{s['fetch']['p50_ms']:,.0f} / {s['fetch']['p99_ms']:,.0f} | "
                f"{r['candidates'] - s['ready']} |"
            )
    print("\n" + ("OK: no acknowledged answer lost or out of order" if ok else "FAILED: see above"))
    return ok


def summary_row(r: dict[str, Any]) -> str:
    v, d = r["saves"], r["db"]
    b, c = r.get("baseline"), r.get("capacity")
    base = f"{b['per_s']:.0f}" if b else "–"
    ratio = f"{v['per_s'] / b['per_s']:.2f}" if b else "–"
    capacity = f"{c['ratio']:.2f}" if c else "–"
    return (
        f"| {r['label']} | {r['candidates']:,} | {v['per_s']:.0f} ({v['offered_per_s']:.0f}) | "
        f"{v['save']['p50_ms']:,.0f} / {v['save']['p99_ms']:,.0f} | {base} | {ratio} | "
        f"{capacity} | {d['lost']} | {d['out_of_order']} |"
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--candidates", type=numbers, default=[500, 2000], help="load runs (comma-separated)")
    add("--duration", type=float, default=45, help="seconds of saving per load run")
    add("--save-interval", type=float, default=3, help="mean seconds between a candidate's saves")
    add("--kill-worker", type=int, default=500, metavar="N", help="killed-worker run (0: none)")
    add("--kills", type=int, default=3, help="SIGKILLs during the killed-worker run")
    add("--storm", type=int, default=2000, metavar="N", help="start storm size (0: none)")
    add("--storm-spread", type=float, default=0, help="seconds the storm's starts spread over")
    add("--ramp", type=float, default=10, help="seconds other runs' sign-ins spread over")
    add("--baseline", type=float, default=10, help="seconds of paced /healthz")
    add("--capacity", type=float, default=6, help="seconds of each back-to-back probe (0: none)")
    add("--capacity-clients", type=int, default=64)
    add("--stale", type=float, default=0.03, help="share of saves followed by an old seq")
    add("--pair", type=float, default=0.02, help="share of saves sent as a concurrent pair")
    add("--workers", type=int, default=4, help="gunicorn workers")
    add("--threads", type=int, default=4, help="threads per gthread worker")
    add("--worker-class", default="gthread", choices=["gthread", "sync"])
    add("--conn-max-age", type=int, default=60, help="the server's DB_CONN_MAX_AGE")
    add("--grade-wait", type=float, default=3, help="seconds the task worker gets to grade")
    add("--postgres", help="PostgreSQL server URL (see above)")
    add("--keep", action="store_true", help="keep the scratch databases")
    # Internal: building the world in a child process.
    add("--child", choices=["template", "sitting"], help=argparse.SUPPRESS)
    add("--database-url", help=argparse.SUPPRESS)
    add("--out", help=argparse.SUPPRESS)
    add("--max-candidates", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args()


def numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main() -> None:
    args = parse_args()
    if args.child:
        child(args)
        return
    # A load run of the storm's size signs its candidates in as the storm does.
    plan = [
        Run(f"load-{n}", "load", n, args.storm_spread if n == args.storm else args.ramp)
        for n in args.candidates
    ]
    if args.kill_worker:
        plan.append(Run(f"kill-{args.kill_worker}", "kill", args.kill_worker, args.ramp))
    if args.storm and args.storm not in args.candidates:
        plan.append(Run(f"storm-{args.storm}", "storm", args.storm, args.storm_spread))
    if not plan:
        raise SystemExit("nothing to run")
    largest = max(run.candidates for run in plan)
    template = scratch_url(postgres_url(args), "template")
    started = time.monotonic()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="exam-load-") as tmpdir:
        tmp = Path(tmpdir)
        try:
            create_database(template)
            print(
                f"== template database {db_name(template)} (staff for {largest:,} candidates)",
                flush=True,
            )
            (tmp / "template").mkdir()
            built = run_child(args, "template", template, tmp / "template", max_candidates=largest)
            print(f"  {built}", flush=True)
            for run in plan:
                results.append(run_scenario(args, run, template, tmp))
        finally:
            if not args.keep:
                drop_database(template)
    ok = summary(args, results)
    print(f"(total {time.monotonic() - started:.0f} s)")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
