"""Certificate issuance benchmark: signed certificates per second against plain PDFs.

    uv run python bench/issuance.py --count 200
    uv run python bench/issuance.py --count 200 --database postgres   # scratch PostgreSQL

In one process, on a throwaway database (a SQLite file in a temporary directory, or a
scratch PostgreSQL database) with a throwaway deployment CA and media folder, it makes
``--count`` certificates with their first version (each holder with a photo), then
measures:

* **baseline** — the unsigned PDF of each certificate: ``artifacts.content_for`` (the
  snapshot, the photo, the QR link) and ``pdf.render_certificate``;
* **signed** — ``artifacts.render_version`` on each first version, as issuance calls it:
  the same PDF, signed PAdES with the institution's key, its SHA-256, the Open Badges
  credential signed eddsa-rdfc-2022, the PDF stored and the version row saved, in a
  transaction of its own.

The two take turns certificate by certificate, so a change in the machine's load during
the run weighs on both alike. One warm-up certificate of each is not timed: it pays for
registering the font and loading the keys. It prints both rates and the figure, signed ÷
baseline, then where a signed certificate's time goes (content, render, PAdES,
credential; the rest is storing the PDF and saving the row) over the first ``--parts``
certificates. Not a test: nothing is asserted about time; it exits 1 only if a
certificate came out unsigned or its credential does not verify.

PostgreSQL: ``--postgres URL`` (default: ``$BENCH_POSTGRES_URL``, else ``$DATABASE_URL``
when it is PostgreSQL, else ``postgres://postgres@127.0.0.1:5432/skillcert_bench``). The
bench creates the scratch database ``<name>_issuance`` next to it and drops it at the
end, so the role needs CREATEDB.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/skillcert_bench"
BENCH_KEY = "YmVuY2gtaXNzdWFuY2Uta2V5LTAxMjM0NTY3ODlhYmM="  # 32 bytes, base64; bench data only
ISSUE_DATE = date(2026, 6, 30)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力林斌宇浩凯鹏飞婷雪琳"


# ---------------------------------------------------------------- the database


def postgres_url(args: argparse.Namespace) -> str:
    if args.postgres:
        return str(args.postgres)
    env = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    return env if env.startswith(("postgres://", "postgresql://")) else DEFAULT_POSTGRES


def scratch_url(base: str) -> str:
    parts = urlsplit(base)
    name = parts.path.lstrip("/") or "skillcert_bench"
    return urlunsplit(parts._replace(path=f"/{name}_issuance"))


def recreate_postgres(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url: str, workdir: Path) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="skillcert.config.settings",
        SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",  # noqa: S106 - a throwaway process
        SKILLCERT_DATA_KEY=BENCH_KEY,
        SKILLCERT_VAR_DIR=str(workdir),
        SKILLCERT_KEYS_DIR=str(workdir / "keys"),
        MEDIA_ROOT=str(workdir / "media"),
        TASKS_BACKEND="immediate",
        DEBUG="false",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from skillcert.certificates import keys

    keys.ensure_ca()  # manage.py certificates_ca in a deployment


# ---------------------------------------------------------------- the certificates


def photo_jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (200, 210, 230)).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def resident_id(rng: random.Random, serial: int) -> str:
    from stdnum.cn import ric

    birth = date(1980, 1, 1).toordinal() + rng.randrange(365 * 25)
    body = f"530102{date.fromordinal(birth):%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum ignores the last character


def make_certificates(count: int, seed: int = 20260630) -> list[Any]:
    """``count`` certificates of one institution with an unrendered first version each,
    inserted directly (issuance's checks are not what is measured here)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.db import transaction

    from skillcert.batches.choices import BatchStatus
    from skillcert.batches.models import Batch
    from skillcert.catalog.models import Occupation, Standard, StandardLevel
    from skillcert.certificates.choices import VersionReason
    from skillcert.certificates.models import Certificate, CertificateVersion
    from skillcert.core.choices import IdType, OrganisationKind
    from skillcert.core.models import Organisation
    from skillcert.core.personal import id_index
    from skillcert.enrollment.models import Application, Person
    from skillcert.institutions.models import Institution

    rng = random.Random(seed)

    def org(name: str, kind: str) -> Organisation:
        return Organisation.objects.create(
            name=name, kind=kind, province_id="530000", city_id="530100"
        )

    with transaction.atomic():
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
        level = StandardLevel.objects.create(standard=standard, level=4)
        batch = Batch.objects.create(
            institution=institution,
            code="BENCH0001",
            title="发证基准测试批次",
            standard_level=level,
            occupation=lathe,
            level=4,
            planned_candidates=count,
            enrollment_opens=ISSUE_DATE,
            enrollment_closes=ISSUE_DATE,
            status=BatchStatus.RESULTS_FILED,
        )
        photo = default_storage.save("photos/bench.jpg", ContentFile(photo_jpeg()))
        numbers = [resident_id(rng, n) for n in range(count)]
        people = Person.objects.bulk_create(
            [
                Person(
                    full_name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=2)),
                    id_type=IdType.RESIDENT,
                    id_number=number,
                    id_number_index=id_index(IdType.RESIDENT, number),
                    photo=photo,
                )
                for number in numbers
            ]
        )
        applications = Application.objects.bulk_create(
            [Application(person=p, batch=batch) for p in people]
        )
        prefix = f"Y000053000001{ISSUE_DATE.year % 100:02d}4"
        certificates = Certificate.objects.bulk_create(
            [
                Certificate(
                    number=f"{prefix}{n + 1:06d}",
                    application=a,
                    batch=batch,
                    person=p,
                    institution=institution,
                    holder_name=p.full_name,
                    id_type=IdType.RESIDENT,
                    id_number=number,
                    id_number_index=p.id_number_index,
                    occupation_code=lathe.code,
                    occupation_name=lathe.name,
                    level=4,
                    institution_name=institution.organisation.name,
                    issue_date=ISSUE_DATE,
                    status_index=n,
                    id_salt=secrets.token_hex(16),
                )
                for n, (p, a, number) in enumerate(zip(people, applications, numbers, strict=True))
            ]
        )
        CertificateVersion.objects.bulk_create(
            [
                CertificateVersion(certificate=c, version=1, reason=VersionReason.ISSUED)
                for c in certificates
            ]
        )
    return list(
        CertificateVersion.objects.select_related(
            "certificate__institution", "certificate__person"
        ).order_by("certificate__number")
    )


# ---------------------------------------------------------------- the phases


def timed(items: list[Any], works: list[Callable[[Any], object]]) -> list[float]:
    """Seconds each of ``works`` took over every item but the first, which warms up and is
    not timed. The works take turns item by item, so a change in the machine's load
    weighs on all of them alike and their ratio holds."""
    for work in works:
        work(items[0])
    seconds = [0.0] * len(works)
    for item in items[1:]:
        for n, work in enumerate(works):
            started = time.perf_counter()
            work(item)
            seconds[n] += time.perf_counter() - started
    return seconds


def baseline(version: Any) -> bytes:
    from skillcert.certificates.artifacts import content_for
    from skillcert.certificates.pdf import render_certificate

    return render_certificate(content_for(version.certificate, version.version))


def signed(version: Any) -> object:
    from skillcert.certificates.artifacts import render_version

    return render_version(version)


def parts(versions: list[Any]) -> dict[str, float]:
    """Milliseconds per certificate of each step of a signed certificate, on fresh copies
    (nothing stored)."""

    from skillcert.certificates import signing
    from skillcert.certificates.artifacts import content_for, credential_for
    from skillcert.certificates.pdf import render_certificate

    totals = {"content": 0.0, "render": 0.0, "pades": 0.0, "credential": 0.0}
    for version in versions:
        certificate = version.certificate
        institution = certificate.institution
        t0 = time.perf_counter()
        content = content_for(certificate, version.version)
        t1 = time.perf_counter()
        unsigned = render_certificate(content)
        t2 = time.perf_counter()
        signing.signer_for(institution).sign_pdf(unsigned)
        t3 = time.perf_counter()
        credential_for(certificate, content, version.version)
        t4 = time.perf_counter()
        for name, seconds in zip(totals, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            totals[name] += seconds
    return {name: 1000 * seconds / len(versions) for name, seconds in totals.items()}


def check(versions: list[Any]) -> int:
    """How many versions came out without a signed PDF and a verifying credential."""
    import hashlib

    from skillcert.certificates import dataintegrity
    from skillcert.certificates.models import CertificateVersion

    bad = 0
    for version in CertificateVersion.objects.filter(pk__in=[v.pk for v in versions]):
        if not version.pdf or not version.credential:
            bad += 1
            continue
        with version.pdf.open("rb") as handle:
            data = handle.read()
        if hashlib.sha256(data).hexdigest() != version.pdf_sha256 or b"/ByteRange" not in data:
            bad += 1
    last = CertificateVersion.objects.get(pk=versions[-1].pk)
    if last.credential is None or not dataintegrity.verify(last.credential):
        bad += 1
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=200, help="certificates (default 200)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres", help="PostgreSQL server URL (see above)")
    parser.add_argument(
        "--parts", type=int, default=50, help="certificates timed step by step (default 50)"
    )
    args = parser.parse_args()
    if args.count < 2:
        raise SystemExit("--count must be at least 2 (the first one warms up)")
    with tempfile.TemporaryDirectory(prefix="issuance-bench-") as tmpdir:
        workdir = Path(tmpdir)
        if args.database == "postgres":
            url = scratch_url(postgres_url(args))
            recreate_postgres(url)
        else:
            url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        try:
            setup_django(url, workdir)
            started = time.perf_counter()
            versions = make_certificates(args.count)
            print(
                f"{args.database}: {args.count} certificates with photos set up in "
                f"{time.perf_counter() - started:.1f} s"
            )
            timed_count = args.count - 1
            base_seconds, signed_seconds = timed(versions, [baseline, signed])
            bad = check(versions)
            step = parts(versions[: max(1, min(args.parts, args.count))])
        finally:
            if args.database == "postgres":
                from django.db import connections

                connections.close_all()
                recreate_postgres(url, drop_only=True)
    base_rate = timed_count / base_seconds
    signed_rate = timed_count / signed_seconds
    print(f"  baseline  {base_seconds:7.2f} s  {base_rate:7.1f} unsigned PDFs/s")
    print(f"  signed    {signed_seconds:7.2f} s  {signed_rate:7.1f} signed certificates/s")
    print(f"  figure    signed = {signed_rate / base_rate:.0%} of the baseline's throughput")
    print(
        f"  per signed certificate {1000 / signed_rate:.1f} ms; its steps (ms, over "
        f"{min(args.parts, args.count)}): "
        + ", ".join(f"{name} {ms:.1f}" for name, ms in step.items())
    )
    if bad:
        print(f"  {bad} certificate(s) came out unsigned or unverifiable")
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
