"""Public verification under load: the JSON look-up against a constant answer.

    uv run python bench/verify_load.py                      # 1,000,000 certificates, 30 s each
    uv run python bench/verify_load.py --count 200000 --duration 15     # a quicker check

PostgreSQL only (``--postgres URL``, else ``$BENCH_POSTGRES_URL``, else ``$DATABASE_URL``
when it is PostgreSQL, else ``postgres://postgres@127.0.0.1:5432/skillcert_bench``); SQLite
is refused. The bench creates ``<name>_verify_<pid>``, migrates it, fills it, and drops it
at the end (``--keep`` keeps it; ``--reuse URL`` measures an already filled database).

1. **Data**: ``--count`` certificates (default 1,000,000) of one institution, in 100
   batches of 车工 level 5, each with its application, person and version-1 row
   (SHA-256 of a PDF), written with PostgreSQL ``COPY`` (psycopg). Columns the bench does
   not set take the model's default. ID numbers are checksum-valid resident numbers of
   ``count / 100`` persons; each person's ciphertext and blind index are computed once
   with the model field and reused for their certificates. 1% are revoked. ``ANALYZE``.
2. **Server**: ``gunicorn`` with production settings (``bench/verify_load_settings.py``:
   the project's settings, rate limit lifted; ``bench/verify_load_urls.py``: ``/bench/constant``
   through the same middleware), ``--workers`` sync workers by default
   (``--worker-class gthread --threads N`` to compare: on two cores, threads lose to
   processes), persistent database connections.
3. **Load**: ``wrk`` (``--connections`` 64, one client thread: the client shares the two
   cores with the server) for ``--duration`` seconds against (a) ``/bench/constant`` and
   (b) ``GET /api/v1/public/certificates/{number}?name=…`` for random existing
   certificates (a Lua script picks one of 20,000 sampled pairs per request), after a
   warm-up of each. Prints req/s, p50/p99 latency of both and the ratio (b)/(a). Targets:
   ratio ≥ 50%, p99 of (b) < 100 ms. Exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench")]

from exam_load import (  # noqa: E402 - after the path set-up
    SERVER_START_TIMEOUT,
    create_database,
    db_name,
    django_env,
    drop_database,
    free_port,
)

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/skillcert_bench"
BATCHES = 100
SAMPLE = 20_000  # (number, name) pairs the load picks from
REVOKED_SHARE = 0.01
TARGET_RATIO = 0.50
TARGET_P99_MS = 100.0
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅龑鑫宇浩然子涵欣怡思远"


# ---------------------------------------------------------------- set-up


def postgres_url(args: argparse.Namespace) -> str:
    if args.postgres:
        return str(args.postgres)
    env = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    if env.startswith("sqlite"):
        raise SystemExit("verify_load needs PostgreSQL; DATABASE_URL is SQLite")
    return env if env.startswith(("postgres://", "postgresql://")) else DEFAULT_POSTGRES


def scratch(base: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(base)
    name = parts.path.lstrip("/") or "skillcert_bench"
    return urlunsplit(parts._replace(path=f"/{name}_verify_{os.getpid()}"))


def run_manage(env: dict[str, str], *command: str) -> None:
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *command], env=env, cwd=ROOT, check=True
    )


def run_fill(args: argparse.Namespace, env: dict[str, str], out: Path) -> None:
    command = [sys.executable, __file__, "--child-fill", str(out), "--count", str(args.count)]
    subprocess.run(command, env=env, cwd=ROOT, check=True)  # noqa: S603 - our own script


def resident_ids(count: int, rng: random.Random) -> Iterator[str]:
    from stdnum.cn import ric

    seen: set[str] = set()
    while len(seen) < count:
        born = date(1960, 1, 1).toordinal() + rng.randrange(16000)
        body = f"530102{date.fromordinal(born):%Y%m%d}{rng.randrange(1000):03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number not in seen:
            seen.add(number)
            yield number


def copy_rows(model: Any, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """COPY ``rows`` (values of ``columns``, ready for the database) into ``model``'s
    table; every other column takes the model field's default (or now / NULL)."""
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    meta = model._meta
    tail_columns: list[str] = []
    tail: list[Any] = []
    given = set(columns)
    for field in meta.concrete_fields:
        if field.primary_key or field.attname in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        elif field.has_default() or (field.blank and field.empty_strings_allowed):
            value = field.get_db_prep_save(field.get_default(), connection)
        elif field.null:
            value = None
        else:
            raise SystemExit(f"{meta.label}.{field.name} needs a value")
        tail_columns.append(field.column)
        tail.append(value)
    names = [meta.get_field(c).column for c in columns] + tail_columns
    quoted = ", ".join(f'"{name}"' for name in names)
    sql = f'COPY "{meta.db_table}" ({quoted}) FROM STDIN'
    written = 0
    extra = tuple(tail)
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row + extra)
            written += 1
    return written


def fill(count: int, out: Path) -> None:
    """Child process (Django set up on the scratch database): the world and the rows."""
    import django

    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from skillcert.batches.models import Batch
    from skillcert.catalog.models import Occupation, Standard, StandardLevel
    from skillcert.certificates.models import Certificate, CertificateVersion
    from skillcert.core.choices import IdType, OrganisationKind
    from skillcert.core.models import Organisation, Region
    from skillcert.core.personal import id_index
    from skillcert.enrollment.models import Application, Person
    from skillcert.institutions.models import Institution, InstitutionType

    rng = random.Random(7)
    started = time.monotonic()
    province, city = Region.objects.get(code="530000"), Region.objects.get(code="530100")
    centre = Organisation.objects.create(
        name="昆明市职业技能鉴定中心（压测）",
        kind=OrganisationKind.CITY_CENTRE,
        province=province,
        city=city,
    )
    org = Organisation.objects.create(
        name="滇池职业技术学校（压测）",
        kind=OrganisationKind.INSTITUTION,
        province=province,
        city=city,
        parent=centre,
    )
    institution = Institution.objects.create(
        organisation=org,
        type=InstitutionType.values[0],
        uscc="91530100MA6K000001",
        supervisor=centre,
        address="昆明市",
        contact_name="联系人",
        contact_phone="087100000000",
        site_serial="000001",
    )
    occupation = Occupation.objects.create(code="6-18-01-01", name="车工", tier=4)
    standard = Standard.objects.create(
        kind="national", title="车工", document_number="压测", year=2018, occupation=occupation
    )
    level = StandardLevel.objects.create(standard=standard, level=5)
    batches = [
        Batch.objects.create(
            institution=institution,
            code=f"B{n:03d}",
            title=f"压测批次{n}",
            standard_level=level,
            occupation=occupation,
            level=5,
            planned_candidates=count // BATCHES + 1,
            enrollment_opens=date(2024, 9, 1),
            enrollment_closes=date(2024, 9, 20),
        )
        for n in range(BATCHES)
    ]
    batch_ids = [b.pk for b in batches]
    persons = (count + BATCHES - 1) // BATCHES
    id_field = Person._meta.get_field("id_number")
    people: list[tuple[str, str, str]] = []  # name, ciphertext, index
    for number in resident_ids(persons, rng):
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        people.append((name, id_field.get_prep_value(number), id_index(IdType.RESIDENT, number)))
    print(f"  prepared {persons:,} persons in {time.monotonic() - started:.0f} s", flush=True)
    with transaction.atomic():
        copy_rows(
            Person,
            ["full_name", "id_type", "id_number", "id_number_index"],
            ((n, IdType.RESIDENT, c, i) for n, c, i in people),
        )
        person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
        copy_rows(
            Application,
            ["person_id", "batch_id"],
            ((person_ids[i // BATCHES], batch_ids[i % BATCHES]) for i in range(count)),
        )
    print(f"  applications in {time.monotonic() - started:.0f} s", flush=True)
    # Read before the COPY starts: the connection serves one of them at a time.
    applications = list(
        Application.objects.order_by("pk").values_list("pk", "person_id", "batch_id")
    )
    index_of = {pk: n for n, pk in enumerate(person_ids)}
    issued_at = timezone.now()
    sample: list[tuple[str, str]] = []
    step = max(1, count // SAMPLE)

    def certificates() -> Iterator[tuple[Any, ...]]:
        for n, (app, person, batch) in enumerate(applications):
            # 999,999 serials per 16-character prefix: the year part moves on after that.
            year, serial = 24 + n // 999_999, n % 999_999 + 1
            number = f"Y000053000001{year:02d}5{serial:06d}"
            name, cipher, index = people[index_of[person]]
            revoked = rng.random() < REVOKED_SHARE
            if n % step == 0 and len(sample) < SAMPLE:
                sample.append((number, name))
            yield (
                number, app, batch, person, institution.pk, name, IdType.RESIDENT, cipher,
                index, "6-18-01-01", "车工", "--", 5, org.name, date(2000 + year, 6, 30),
                "revoked" if revoked else "valid", 1, issued_at if revoked else None, n,
            )  # fmt: skip

    with transaction.atomic():
        copy_rows(
            Certificate,
            [
                "number",
                "application_id",
                "batch_id",
                "person_id",
                "institution_id",
                "holder_name",
                "id_type",
                "id_number",
                "id_number_index",
                "occupation_code",
                "occupation_name",
                "work_type_name",
                "level",
                "institution_name",
                "issue_date",
                "status",
                "version",
                "revoked_at",
                "status_index",
            ],
            certificates(),
        )
    print(f"  certificates in {time.monotonic() - started:.0f} s", flush=True)
    applications = []  # free the memory before reading the certificates
    rows = list(Certificate.objects.values_list("pk", "number"))
    with transaction.atomic():
        copy_rows(
            CertificateVersion,
            ["certificate_id", "version", "reason", "pdf_sha256"],
            ((pk, 1, "issued", hashlib.sha256(number.encode()).hexdigest()) for pk, number in rows),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  versions and ANALYZE in {time.monotonic() - started:.0f} s", flush=True)
    out.write_text(json.dumps({"sample": sample, "seconds": time.monotonic() - started}))


# ---------------------------------------------------------------- server and load


def start_server(args: argparse.Namespace, env: dict[str, str], workdir: Path) -> tuple[Any, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "gunicorn", "skillcert.config.wsgi",
        f"--bind=127.0.0.1:{port}", f"--workers={args.workers}",
        f"--worker-class={args.worker_class}", f"--threads={args.threads}",
        "--keep-alive=75", "--backlog=4096", "--timeout=120",
        f"--control-socket={workdir / 'gunicorn.ctl'}",
    ]  # fmt: skip
    log = open(workdir / "gunicorn.log", "ab")  # closed with the process
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)  # noqa: S603
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {workdir / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(f"{base}/bench/constant", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return process, base
        except OSError:
            pass
        time.sleep(0.3)
    process.kill()
    raise SystemExit(f"the server did not come up; see {workdir / 'gunicorn.log'}")


LUA = """
local pairs_ = {%s}
math.randomseed(%d)
request = function()
  return wrk.format("GET", pairs_[math.random(#pairs_)])
end
"""


def lua_script(sample: list[list[str]], workdir: Path) -> Path:
    paths = [f"/api/v1/public/certificates/{number}?name={quote(name)}" for number, name in sample]
    path = workdir / "verify.lua"
    path.write_text(LUA % (",".join(f'"{p}"' for p in paths), secrets.randbelow(1 << 30)))
    return path


def wrk(
    url: str, args: argparse.Namespace, seconds: int, script: Path | None = None
) -> dict[str, float]:
    command = [
        "wrk",
        "-t1",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script is not None:
        command += ["-s", str(script)]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=False)  # noqa: S603
    try:
        return parse_wrk(done.stdout)
    except (KeyError, AttributeError):
        raise SystemExit(f"wrk said:\n{done.stdout}\n{done.stderr}") from None


def parse_wrk(out: str) -> dict[str, float]:
    def ms(text: str) -> float:
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    latency = dict(re.findall(r"^\s+(50|99)(?:\.000)?%\s+(\S+)\s*$", out, re.MULTILINE))
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "p50_ms": ms(latency["50"]),
        "p99_ms": ms(latency["99"]),
        "requests": float(total.group(1)) if total else 0.0,
        "non_2xx": float(errors.group(1)) if errors else 0.0,
        "socket_errors": 1.0 if socket else 0.0,
    }


def check_answer(base: str, sample: list[list[str]]) -> None:
    """One look-up by hand: the server answers a sampled certificate as the contract says."""
    number, name = sample[len(sample) // 2]
    url = f"{base}/api/v1/public/certificates/{number}?name={quote(name)}"
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
        body = json.loads(response.read())
    assert body["number"] == number, body
    assert body["status"] in ("valid", "revoked"), body
    assert "*" in body["id_number_masked"], body


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres", default="", help="PostgreSQL URL the scratch name derives from"
    )
    parser.add_argument(
        "--reuse", default="", help="an already filled database: skip creating and filling"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=30, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--child-fill", default="", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.child_fill:
        fill(args.count, Path(args.child_fill))
        return
    url = args.reuse or scratch(postgres_url(args))
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("verify_load needs PostgreSQL")
    with tempfile.TemporaryDirectory(prefix="skillcert-verify-") as tmp:
        workdir = Path(tmp)
        env = django_env(url, workdir, conn_max_age=600)
        env["DJANGO_SETTINGS_MODULE"] = "verify_load_settings"
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "bench"), env["PYTHONPATH"]])
        sample_file = workdir / "sample.json"
        try:
            if args.reuse:
                env_fill = dict(env)
                sample = reuse_sample(env_fill, workdir)
            else:
                print(f"database {db_name(url)}: create, migrate, fill {args.count:,}", flush=True)
                create_database(url)
                run_manage(env, "migrate", "--verbosity=0")
                run_fill(args, env, sample_file)
                filled = json.loads(sample_file.read_text())
                sample = filled["sample"]
                print(f"filled in {filled['seconds']:.0f} s", flush=True)
            ok = measure(args, env, workdir, sample)
        finally:
            if not args.reuse and not args.keep:
                drop_database(url)
    raise SystemExit(0 if ok else 1)


def reuse_sample(env: dict[str, str], workdir: Path) -> list[list[str]]:
    out = workdir / "sample.json"
    code = (
        "import django,json,sys;django.setup();"
        "from skillcert.certificates.models import Certificate as C;"
        f"rows=list(C.objects.order_by('?').values_list('number','holder_name')[:{SAMPLE}]);"
        "open(sys.argv[1],'w').write(json.dumps(rows))"
    )
    subprocess.run([sys.executable, "-c", code, str(out)], env=env, cwd=ROOT, check=True)  # noqa: S603
    return list(json.loads(out.read_text()))


def measure(
    args: argparse.Namespace, env: dict[str, str], workdir: Path, sample: list[list[str]]
) -> bool:
    process, base = start_server(args, env, workdir)
    try:
        check_answer(base, sample)
        script = lua_script(sample, workdir)
        constant_url = f"{base}/bench/constant"
        verify_url = f"{base}/api/v1/public/certificates/"
        wrk(constant_url, args, args.warmup)
        wrk(verify_url, args, args.warmup, script)
        a = wrk(constant_url, args, args.duration)
        b = wrk(verify_url, args, args.duration, script)
    finally:
        process.terminate()
        process.wait(timeout=30)
    ratio = b["rps"] / a["rps"] if a["rps"] else 0.0
    print(
        f"\n{os.cpu_count()} CPUs (client and server share them); "
        f"{args.workers} {args.worker_class} workers"
        f"{f' × {args.threads} threads' if args.worker_class == 'gthread' else ''}; "
        f"{args.connections} connections; {args.duration} s each"
    )
    print(f"{'':28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for label, r in (("(a) constant view", a), ("(b) verification API", b)):
        print(
            f"{label:28} {r['rps']:9.0f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['non_2xx']:8.0f}"
        )
    print(f"ratio (b)/(a): {ratio:.0%} (target ≥ {TARGET_RATIO:.0%}); "
          f"p99 (b): {b['p99_ms']:.0f} ms (target < {TARGET_P99_MS:.0f} ms)")  # fmt: skip
    return ratio >= TARGET_RATIO and b["p99_ms"] < TARGET_P99_MS and b["non_2xx"] == 0


if __name__ == "__main__":
    main()
