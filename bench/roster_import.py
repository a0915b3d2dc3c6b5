"""Roster import benchmark: a generated roster imported on SQLite and PostgreSQL.

    uv run python bench/roster_import.py --rows 100000
    uv run python bench/roster_import.py --rows 2000 --databases sqlite   # a quick check

For each database it measures, each phase in a fresh child process on a freshly
migrated database with a fresh enrolling batch:

* **baseline** — read the same file with python-calamine and bulk-insert the rows as
  ``Person`` + ``Application`` with no checks: the model fields still encrypt the ID and
  phone numbers, and the blind indexes are computed (the rows need them), all in one
  transaction, in chunks of 2,000;
* **import** — the real thing, as the upload's background task runs it
  (``enrollment.tasks.run_roster_job`` on a ``Job`` holding the file): every check of
  ``enrollment.roster.validate``, then the commit with student records and the audit
  event, with the job's progress reported; a second thread polls the job row the way
  the progress bar does and counts the distinct values it saw.

It prints rows/s for both, the figure — import throughput as a share of the baseline's
(target ≥ 25%) — and each phase's peak memory: the process's peak RSS (``ru_maxrss``,
Django and all) and, with ``--tracemalloc``, the Python allocation peak of the phase
measured in an extra, untimed run (tracemalloc slows allocation down).

PostgreSQL: ``--postgres URL`` (default: ``$BENCH_POSTGRES_URL``, else ``$DATABASE_URL``
when it is PostgreSQL, else ``postgres://postgres@127.0.0.1:5432/skillcert_bench``). The
bench never touches that database: it creates scratch databases named after it
(``skillcert_bench_baseline``, ``skillcert_bench_import``) and drops them afterwards, so
the role needs CREATEDB. SQLite files go to a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/skillcert_bench"
BENCH_KEY = "YmVuY2gtcm9zdGVyLWtleS0wMTIzNDU2Nzg5YWJjZGU="  # 32 bytes, base64; bench data only
TODAY = date(2026, 5, 15)
CHUNK = 2000
STUDENT_SHARE = 0.3
TARGET_SHARE = 0.25
MEMORY_LIMIT_MB = 1024

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力林斌宇浩凯鹏飞婷雪琳"
    "晨思雨欣怡佳子涵梓轩"
)
# Area codes (Kunming, Beijing, Shanghai); each generated number is checked with stdnum,
# which knows when each code was in use.
AREAS = ("530102", "530103", "530111", "530112", "530121", "530124", "110101", "310101")


# ---------------------------------------------------------------- the roster file


def resident_id(area: str, birth: date, serial: int) -> str:
    from stdnum.cn import ric

    body = f"{area}{birth:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum ignores the last character


def generate_roster(path: Path, rows: int, seed: int = 20260515) -> None:
    """A valid roster of ``rows`` distinct people (30% graduating-year students)."""
    from openpyxl import Workbook
    from stdnum.cn import ric

    from skillcert.enrollment.roster.columns import COLUMNS, SHEET_TITLE

    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLE)
    sheet.append([c.header for c in COLUMNS])
    seen: set[str] = set()
    start = date(1985, 1, 1)
    while len(seen) < rows:
        birth = start + timedelta(days=rng.randrange(365 * 22))
        number = resident_id(rng.choice(AREAS), birth, rng.randrange(1, 1000))
        if number in seen or not ric.is_valid(number):
            continue
        seen.add(number)
        gender = "男" if int(number[16]) % 2 else "女"
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        if rng.random() < STUDENT_SHARE:
            school = ["昆明技师学院", "数控加工", "是", 2023, 2026, f"2023{len(seen):06d}"]
            values = [name, "居民身份证", number, gender, phone, "中专/高中及以下", "", 0, 3]
        else:
            school = ["", "", "", "", "", ""]
            years = rng.randrange(6, 30)
            values = [name, "居民身份证", number, "", phone, "大专", "昆明机床厂", years, 2]
        sheet.append([*values, *school, ""])
    book.save(path)


# ---------------------------------------------------------------- databases


def postgres_url(args: argparse.Namespace) -> str:
    if args.postgres:
        return str(args.postgres)
    env = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    return env if env.startswith(("postgres://", "postgresql://")) else DEFAULT_POSTGRES


def scratch_url(base: str, phase: str) -> str:
    parts = urlsplit(base)
    name = parts.path.lstrip("/") or "skillcert_bench"
    return urlunsplit(parts._replace(path=f"/{name}_{phase}"))


def recreate_postgres(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


# ---------------------------------------------------------------- one phase (child)


def child(args: argparse.Namespace) -> None:
    os.environ.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="skillcert.config.settings",
        SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",  # noqa: S106 - a throwaway process
        SKILLCERT_DATA_KEY=BENCH_KEY,
        SKILLCERT_VAR_DIR=args.workdir,
        TASKS_BACKEND="immediate",
        DEBUG="false",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    batch = setup_batch()
    path = Path(args.file)
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start()
    started = time.perf_counter()
    extra = baseline(batch, path) if args.phase == "baseline" else real_import(batch, path)
    seconds = time.perf_counter() - started
    result: dict[str, Any] = {"phase": args.phase, "seconds": seconds, **extra}
    if args.tracemalloc:
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from skillcert.enrollment.models import Application

    result["applications"] = Application.objects.filter(batch=batch).count()
    print(json.dumps(result))


def setup_batch() -> Any:
    from skillcert.batches.choices import BatchStatus
    from skillcert.batches.models import Batch
    from skillcert.catalog.eligibility import national_template
    from skillcert.catalog.models import Occupation, Standard, StandardLevel
    from skillcert.core.choices import OrganisationKind
    from skillcert.core.models import Organisation
    from skillcert.institutions.models import Institution

    def org(name: str, kind: str) -> Organisation:
        return Organisation.objects.create(
            name=name, kind=kind, province_id="530000", city_id="530100"
        )

    centre = org("昆明市职业技能鉴定中心", OrganisationKind.CITY_CENTRE)
    institution = Institution.objects.create(
        organisation=org("昆明技师学院", OrganisationKind.INSTITUTION),
        type="technician_college",
        uscc="12530100MB00000018",
        supervisor=centre,
        address="昆明市",
        contact_name="联系人",
        contact_phone="0871-65000000",
    )
    lathe = Occupation.objects.create(code="6-18-01-01", name="车工", tier=4)
    standard = Standard.objects.create(
        kind="national",
        title="国家职业技能标准 车工",
        document_number="-",
        year=2018,
        occupation=lathe,
    )
    level = StandardLevel.objects.create(
        standard=standard, level=4, eligibility_routes=national_template(4)
    )
    return Batch.objects.create(
        institution=institution,
        code="BENCH0001",
        title="基准测试批次",
        standard_level=level,
        occupation=lathe,
        level=4,
        planned_candidates=200_000,
        enrollment_opens=TODAY,
        enrollment_closes=TODAY + timedelta(days=30),
        status=BatchStatus.ENROLLING,
    )


def baseline(batch: Any, path: Path) -> dict[str, Any]:
    """python-calamine read + bulk insert of Person and Application rows, no checks."""
    from django.db import transaction
    from python_calamine import CalamineWorkbook

    from skillcert.core.personal import id_index, phone_index
    from skillcert.enrollment.models import Application, Person

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("报名名册")
    rows = sheet.iter_rows()
    next(rows)  # the header
    with transaction.atomic():
        chunk: list[list[Any]] = []
        for values in rows:
            chunk.append(values)
            if len(chunk) == CHUNK:
                _insert(batch, chunk, Person, Application, id_index, phone_index)
                chunk = []
        if chunk:
            _insert(batch, chunk, Person, Application, id_index, phone_index)
    return {}


def _insert(batch: Any, chunk: list[list[Any]], person: Any, app: Any, idx: Any, pidx: Any) -> None:
    people = person.objects.bulk_create(
        [
            person(
                full_name=v[0],
                id_type="resident",
                id_number=v[2],
                id_number_index=idx("resident", v[2]),
                phone=str(v[4]),
                phone_index=pidx(str(v[4])),
            )
            for v in chunk
        ],
        batch_size=CHUNK,
    )
    app.objects.bulk_create(
        [
            app(person=p, batch=batch, declared_route=int(v[8]) - 1, work_years=int(v[7] or 0))
            for p, v in zip(people, chunk, strict=True)
        ],
        batch_size=CHUNK,
    )


def real_import(batch: Any, path: Path) -> dict[str, Any]:
    """The background task's path: a Job holding the file, run by ``run_roster_job``."""
    from django.core.files.base import ContentFile

    from skillcert.core.models import Job, JobStatus
    from skillcert.enrollment.tasks import run_roster_job

    job = Job.objects.create(
        kind="roster_import", params={"batch": batch.pk, "file_name": path.name}
    )
    job.input_file.save(path.name, ContentFile(path.read_bytes()), save=True)
    samples: list[tuple[int, int]] = []
    stop = threading.Event()
    poller = threading.Thread(target=_poll, args=(job.pk, samples, stop), daemon=True)
    poller.start()
    run_roster_job(job)
    stop.set()
    poller.join()
    job.refresh_from_db()
    if job.status != JobStatus.SUCCEEDED:
        raise SystemExit(f"import failed: {job.status} {job.message}")
    distinct = sorted(set(samples))
    return {
        "job_message": job.message,
        "progress_samples": len(distinct),
        "progress_seen": [f"{d}/{t}" for d, t in distinct[:: max(1, len(distinct) // 8)]],
    }


def _poll(job_id: int, samples: list[tuple[int, int]], stop: threading.Event) -> None:
    """What the progress bar sees: the job row read on its own connection every 0.25 s."""
    from django.db import connection

    from skillcert.core.models import Job

    try:
        while not stop.wait(0.25):
            row = Job.objects.filter(pk=job_id).values_list("done", "total").first()
            if row is not None:
                samples.append(row)
    finally:
        connection.close()


# ---------------------------------------------------------------- the parent


def run_phase(
    args: argparse.Namespace, url: str, phase: str, file: Path, workdir: Path, *, trace: bool
) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        "--phase",
        phase,
        "--database-url",
        url,
        "--file",
        str(file),
        "--workdir",
        str(workdir),
    ]
    if trace:
        command.append("--tracemalloc")
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)  # noqa: S603 - our own script
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{phase} on {url} failed")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def bench_database(args: argparse.Namespace, name: str, file: Path, tmp: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for phase in ("baseline", "import"):
        for trace in (False, True) if args.tracemalloc else (False,):
            if name == "sqlite":
                url = f"sqlite:///{tmp / f'{phase}-{int(trace)}.sqlite3'}"
            else:
                url = scratch_url(postgres_url(args), phase)
                recreate_postgres(url)
            try:
                found = run_phase(args, url, phase, file, tmp, trace=trace)
            finally:
                if name == "postgres":
                    recreate_postgres(url, drop_only=True)
            if found["applications"] != args.rows:
                raise SystemExit(f"{name} {phase}: {found['applications']} applications")
            if trace:
                results[phase]["tracemalloc_peak_mb"] = found["tracemalloc_peak_mb"]
            else:
                results[phase] = found
    return results


def report(name: str, rows: int, results: dict[str, Any]) -> bool:
    base, real = results["baseline"], results["import"]
    base_rate, real_rate = rows / float(base["seconds"]), rows / float(real["seconds"])
    share = real_rate / base_rate
    peak = float(real["peak_rss_mb"])
    ok = share >= TARGET_SHARE and peak < MEMORY_LIMIT_MB
    print(f"\n== {name}: {rows:,} rows")
    for label, r, rate in (("baseline", base, base_rate), ("import", real, real_rate)):
        traced = (
            f", tracemalloc peak {r['tracemalloc_peak_mb']:.0f} MB"
            if "tracemalloc_peak_mb" in r
            else ""
        )
        peak_rss = f"peak RSS {r['peak_rss_mb']:.0f} MB{traced}"
        print(f"  {label:<9} {r['seconds']:7.2f} s  {rate:9,.0f} rows/s  {peak_rss}")
    seen = ", ".join(real["progress_seen"])
    print(f"  progress  {real['progress_samples']} distinct values seen by the poller: {seen}")
    print(f"  result    {real['job_message']}")
    print(
        f"  figure    import = {share:.0%} of baseline throughput (target ≥ {TARGET_SHARE:.0%}); "
        f"import peak RSS {peak:.0f} MB (limit {MEMORY_LIMIT_MB} MB) → "
        f"{'OK' if ok else 'BELOW TARGET'}"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--databases", default="sqlite,postgres", help="comma-separated: sqlite,postgres"
    )
    parser.add_argument("--postgres", help="PostgreSQL server URL (see above)")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also measure Python allocation peaks (extra runs)",
    )
    parser.add_argument("--keep-file", type=Path, help="write the generated roster here too")
    # Internal: one phase in a child process.
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    with tempfile.TemporaryDirectory(prefix="roster-bench-") as tmpdir:
        tmp = Path(tmpdir)
        file = tmp / "roster.xlsx"
        started = time.perf_counter()
        generate_roster(file, args.rows)
        size = file.stat().st_size / 2**20
        print(
            f"generated {args.rows:,} rows ({size:.1f} MB) in {time.perf_counter() - started:.1f} s"
        )
        if args.keep_file:
            args.keep_file.write_bytes(file.read_bytes())
        ok = True
        for name in [d.strip() for d in args.databases.split(",") if d.strip()]:
            if name not in ("sqlite", "postgres"):
                raise SystemExit(f"unknown database {name!r}")
            ok = report(name, args.rows, bench_database(args, name, file, tmp)) and ok
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
