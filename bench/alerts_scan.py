"""Early-warning scan at the scale of a province-year: each rule against a plain read.

    uv run python bench/alerts_scan.py                          # 60,000 candidates, 60 answers each
    uv run python bench/alerts_scan.py --answers 100 --attempts 60000    # ~5M answer rows
    uv run python bench/alerts_scan.py --keep                   # keep the filled database …
    uv run python bench/alerts_scan.py --reuse                  # … and measure it again

PostgreSQL only. The bench owns one database, ``--postgres URL`` (default
``postgres://postgres@127.0.0.1:5432/bench_alerts``): it drops it if it exists, creates it,
migrates and fills it, and drops it at the end (``--keep`` keeps it; ``--reuse`` measures
a database kept earlier without filling it). The role needs CREATEDB.

1. **A province-year** of Yunnan, written with ``bulk_create`` and ``COPY`` (never through
   the services, whose checks are not measured here): ``--institutions`` (200) with their
   filing, scope entries, a site with its computer rooms' outgoing network, rooms and
   staff; ``--batches`` (2,000) of 24 occupations at levels 5–3 within each
   institution's scope and level cap, exam days spread over the last 330 days and the
   next 45, each with a theory and a practical session and a status that follows its
   dates (draft … archived); ``--candidates`` (60,000) persons and applications with the
   records and evidence their declared route needs (so the eligibility engine finds them
   eligible), seats, results at a pass rate near the group's, the results records with
   their announcement, certificates of passed candidates; computer-based theory sittings
   for about ``--attempts`` (half the candidates) with two papers each (A/B forms drawn
   from a bank per standard level), ``--answers`` (60) objective items per paper and one
   answer row per item and attempt, the attempts' event log (sign-ins from the venue's
   listed network, focus losses, hand-ins), candidates' own and desk check-ins, staff
   check-ins. Then a handful of **planted anomalies**, a few per rule (late plans and
   results filings, batches out of scope, two batches passing everyone, three copied
   answer sheets, three candidates on one foreign address in two sittings, check-ins
   far from the site, applications failing their declared route, certificates without
   a passed and approved result); their keys are kept in the table ``bench_planted``.
   ``ANALYZE``.
2. **Measure**, ``--rounds`` (2) times, taking each figure's best: for every rule of
   ``supervision.alerts.RULES``, a **baseline** — the rows the rule needs, read once with
   its joins and filters as one plain SQL query per table (the ORM's own SQL of a
   ``values_list``, fetched with a bare cursor: no model instances, no Python logic) —
   then the **rule** itself, as the scan calls it. Then the whole
   ``alerts_scan(actor=Actor.system("bench"), province=…)`` (rules, upsert of the alerts,
   audit event; the first round creates the alerts, later rounds refresh them), against
   the sum of the baselines.
3. **Prints** per rule: alerts raised, planted ones found, SQL queries, seconds of rule
   and baseline and the ratio rule ÷ baseline. A rule that misses a planted anomaly
   is listed; exit status 1 then. Not a test: nothing is asserted about time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/bench_alerts"
BENCH_KEY = "YmVuY2gtYWxlcnRzLXNjYW4ta2V5LTAxMjM0NTY3ODk="  # 32 bytes, base64; bench data only
PROVINCE = "530000"
LOOKAHEAD_DAYS = 45  # exam days run from 330 days ago to 45 days ahead
LOOKBACK_DAYS = 330
BANK_MIN = 200  # items per standard level's bank at least
BLANK = 0.015  # share of answers left blank
FOREIGN = "203.0.113."  # the planted shared devices' addresses
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅鑫宇浩然子涵欣怡思远"
OCCUPATIONS = (
    ("6-18-01-01", "车工"),
    ("6-18-01-02", "铣工"),
    ("6-18-01-07", "钳工"),
    ("6-18-02-04", "焊工"),
    ("6-31-01-03", "电工"),
    ("6-29-03-01", "砌筑工"),
    ("4-12-01-01", "汽车维修工"),
    ("4-03-02-01", "中式烹调师"),
    ("4-03-02-02", "中式面点师"),
    ("4-03-02-03", "西式烹调师"),
    ("4-03-02-04", "西式面点师"),
    ("4-03-02-07", "茶艺师"),
    ("4-10-01-01", "保育师"),
    ("4-10-01-02", "育婴员"),
    ("4-10-01-05", "养老护理员"),
    ("4-10-03-01", "美容师"),
    ("4-10-03-02", "美发师"),
    ("4-01-02-02", "电子商务师"),
    ("4-01-02-07", "互联网营销师"),
    ("4-04-05-01", "计算机程序设计员"),
    ("4-04-04-02", "网络与信息安全管理员"),
    ("6-30-99-00", "工业机器人系统操作员"),
    ("4-14-01-03", "健康照护师"),
    ("6-31-03-01", "化学检验员"),
)
# Institution types with their share and the levels they may evaluate (cap per the
# province policy's defaults: 中职 ≤ 四级, 高职 ≤ 三级; the bench uses levels 5–3).
INSTITUTION_TYPES = (
    ("technical_school", 25, (5, 4, 3)),
    ("secondary_vocational", 20, (5, 4)),
    ("higher_vocational", 15, (5, 4, 3)),
    ("enterprise", 30, (5, 4, 3)),
    ("social_organisation", 10, (5, 4, 3)),
)
LEVEL_WEIGHTS = {5: 40, 4: 40, 3: 20}
AGENT = "ExamClient/2.0 (Windows NT 10.0; Win64; x64)"


# ---------------------------------------------------------------- the database


def db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def admin_execute(url: str, *statements: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def recreate(url: str) -> None:
    name = db_name(url)
    admin_execute(
        url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
    )


def drop(url: str) -> None:
    admin_execute(url, f'DROP DATABASE IF EXISTS "{db_name(url)}" WITH (FORCE)')


def setup_django(url: str, workdir: Path, *, migrate: bool) -> None:
    os.environ.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="skillcert.config.settings",
        SECRET_KEY="bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",  # noqa: S106 - a throwaway process
        SKILLCERT_DATA_KEY=BENCH_KEY,
        SKILLCERT_VAR_DIR=str(workdir),
        MEDIA_ROOT=str(workdir / "media"),
        TASKS_BACKEND="immediate",
        DEBUG="false",
    )
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def copy_rows(model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY ``rows`` (values of ``columns``, ready for the database; JSON as text) into
    ``model``'s table; every other column takes the model field's default (or now / NULL)."""
    from django.db import connection
    from django.utils import timezone

    meta = model._meta
    given = {meta.get_field(c).attname for c in columns}
    tail_columns: list[str] = []
    tail: list[Any] = []
    for f in meta.concrete_fields:
        if f.attname in given or f.primary_key:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value: Any = timezone.now()
        elif f.has_default() or (f.blank and f.empty_strings_allowed):
            value = f.get_db_prep_save(f.get_default(), connection)
        elif f.null:
            value = None
        else:
            raise SystemExit(f"{meta.label}.{f.name} needs a value")
        tail_columns.append(f.column)
        tail.append(value)
    names = [meta.get_field(c).column for c in columns] + tail_columns
    quoted = ", ".join(f'"{name}"' for name in names)
    extra = tuple(tail)
    written = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{meta.db_table}" ({quoted}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row((*row, *extra))
            written += 1
    return written


# ---------------------------------------------------------------- the province-year


@dataclass
class PaperInfo:
    pk: int
    # (paper item id, key JSON, popular wrong answer JSON, other wrong answers JSON)
    items: list[tuple[int, str, str, tuple[str, ...]]]


@dataclass
class BatchPlan:
    pk: int
    institution: int  # index into Province.institutions
    occupation: int  # index into OCCUPATIONS
    level: int
    day: date  # the theory session's day; practical the day after
    status: str
    computer: bool
    size: int = 0
    theory: int = 0  # session ids
    practical: int = 0
    sitting: int = 0
    papers: list[PaperInfo] = field(default_factory=list)
    approved: list[int] = field(default_factory=list)  # application ids
    absent: set[int] = field(default_factory=set)
    passed: list[int] = field(default_factory=list)


@dataclass
class Province:
    """What one step of the fill hands to the next."""

    args: argparse.Namespace
    rng: random.Random
    today: date
    now: datetime
    centre: Any = None
    institutions: list[Any] = field(default_factory=list)
    inst_levels: list[tuple[int, ...]] = field(default_factory=list)
    inst_scope: list[list[int]] = field(default_factory=list)  # occupation indexes
    sites: list[Any] = field(default_factory=list)
    rooms: list[dict[str, Any]] = field(default_factory=list)  # kind → Room, per institution
    staff: list[list[int]] = field(default_factory=list)
    occupations: list[Any] = field(default_factory=list)
    standards: list[Any] = field(default_factory=list)
    levels: dict[tuple[int, int], Any] = field(default_factory=dict)  # (occ index, level)
    bank: dict[tuple[int, int], list[tuple[Any, str, str, tuple[str, ...]]]] = field(
        default_factory=dict
    )
    batches: list[BatchPlan] = field(default_factory=list)
    persons: list[tuple[str, str, str]] = field(default_factory=list)  # name, cipher, index
    app_person: dict[int, int] = field(default_factory=dict)
    admission: dict[int, str] = field(default_factory=dict)
    attempts: list[AttemptPlan] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def at(self, day: date, hour: int = 9, minute: int = 0) -> datetime:
        from django.utils import timezone

        return datetime.combine(day, clock(hour, minute), tzinfo=timezone.get_current_timezone())


def fill(args: argparse.Namespace) -> Counter[str]:
    from django.db import connection, transaction
    from django.utils import timezone

    p = Province(
        args=args, rng=random.Random(args.seed), today=timezone.localdate(), now=timezone.now()
    )
    steps: list[tuple[str, Callable[[Province], None]]] = [
        ("catalogue, institutions, filings, sites, staff", fill_reference),
        ("item banks", fill_banks),
        ("batches, sessions, sittings, papers", fill_batches),
        ("persons, records, evidence, applications", fill_applications),
        ("seats, attempts, events, check-ins", fill_exams),
        ("answers", fill_answers),
        ("results, results records, certificates", fill_results),
    ]
    started = time.monotonic()
    for label, step in steps:
        with transaction.atomic():
            step(p)
        print(f"  {label}: {time.monotonic() - started:.0f} s", flush=True)
    reset_sequences()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return p.counts


def reset_sequences() -> None:
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), list(apps.get_models()))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def fill_reference(p: Province) -> None:
    from skillcert.batches.models import Room
    from skillcert.catalog.eligibility import national_template
    from skillcert.catalog.models import Occupation, Standard, StandardLevel
    from skillcert.core.choices import IdType, OrganisationKind
    from skillcert.core.models import Organisation, Region
    from skillcert.core.personal import id_index
    from skillcert.institutions.models import (
        Filing,
        FilingApplication,
        Institution,
        ScopeEntry,
        Site,
        StaffMember,
    )

    rng, n = p.rng, p.args.institutions
    province = Region.objects.get(code=PROVINCE)
    cities = list(Region.objects.filter(parent=province).order_by("code"))
    hr = Organisation.objects.create(
        name="云南省人力资源和社会保障厅（基准）",
        kind=OrganisationKind.PROVINCE_HR,
        province=province,
    )
    p.centre = Organisation.objects.create(
        name="云南省职业技能鉴定指导中心（基准）",
        kind=OrganisationKind.PROVINCE_CENTRE,
        province=province,
        parent=hr,
    )
    centres = Organisation.objects.bulk_create(
        Organisation(
            name=f"{c.name}职业技能鉴定指导中心",
            kind=OrganisationKind.CITY_CENTRE,
            province=province,
            city=c,
            parent=p.centre,
        )
        for c in cities
    )
    p.occupations = Occupation.objects.bulk_create(
        Occupation(code=code, name=name, tier=4) for code, name in OCCUPATIONS
    )
    p.standards = Standard.objects.bulk_create(
        Standard(
            kind="national",
            title=f"国家职业技能标准 {o.name}",
            document_number=f"人社厅发〔{2019 + i % 5}〕{10 + i}号",
            year=2019 + i % 5,
            occupation=o,
        )
        for i, o in enumerate(p.occupations)
    )
    rows = StandardLevel.objects.bulk_create(
        StandardLevel(standard=s, level=level, eligibility_routes=national_template(level))
        for s in p.standards
        for level in (5, 4, 3, 2, 1)
    )
    index = {s.pk: i for i, s in enumerate(p.standards)}
    p.levels = {(index[r.standard_id], r.level): r for r in rows}
    kinds, weights = [t[0] for t in INSTITUTION_TYPES], [t[1] for t in INSTITUTION_TYPES]
    caps = {t[0]: t[2] for t in INSTITUTION_TYPES}
    types = rng.choices(kinds, weights, k=n)
    city_of = [k % len(cities) if rng.random() < 0.5 else 0 for k in range(n)]  # half in Kunming
    orgs = Organisation.objects.bulk_create(
        Organisation(
            name=f"{cities[city_of[k]].name}第{k + 1}职业技能评价机构（基准）",
            kind=OrganisationKind.INSTITUTION,
            province=province,
            city=cities[city_of[k]],
            parent=centres[city_of[k]],
        )
        for k in range(n)
    )
    p.institutions = Institution.objects.bulk_create(
        Institution(
            organisation=org,
            type=types[k],
            uscc=f"91530{k + 1:013d}",
            supervisor=centres[city_of[k]],
            address=f"{cities[city_of[k]].name}职教路{k + 1}号",
            contact_name="联系人",
            contact_phone=f"0871-65{k:06d}",
            status="active",
            site_serial=f"{k + 1:06d}",
            site_province="53",
        )
        for k, org in enumerate(orgs)
    )
    p.inst_levels = [caps[t] for t in types]
    applications = FilingApplication.objects.bulk_create(
        FilingApplication(
            institution=inst,
            kind="initial",
            status="approved",
            submitted_at=p.now,
            decided_at=p.now,
        )
        for inst in p.institutions
    )
    valid_from = [p.today - timedelta(days=rng.randrange(420, 900)) for _ in range(n)]
    filings = Filing.objects.bulk_create(
        Filing(
            institution=inst,
            filing_number=f"YN-BA-{k + 1:05d}",
            valid_from=valid_from[k],
            valid_until=valid_from[k] + timedelta(days=4 * 365),
            issued_by=p.centre,
        )
        for k, inst in enumerate(p.institutions)
    )
    entries = []
    for k, filing in enumerate(filings):
        scope = rng.sample(range(len(OCCUPATIONS)), rng.randint(3, 5))
        p.inst_scope.append(scope)
        for occ in scope:
            entries.append(
                ScopeEntry(
                    filing=filing,
                    occupation=p.occupations[occ],
                    standard=p.standards[occ],
                    lowest_level=5,
                    highest_level=min(p.inst_levels[k]),
                    granted_by=applications[k],
                    granted_on=valid_from[k],
                )
            )
    ScopeEntry.objects.bulk_create(entries)
    p.sites = Site.objects.bulk_create(
        Site(
            institution=inst,
            name=f"{inst.organisation.name}考点",
            address=inst.address,
            latitude=Decimal("24.500000") + Decimal(rng.randrange(0, 2_000_000)) / 1_000_000,
            longitude=Decimal("101.500000") + Decimal(rng.randrange(0, 2_000_000)) / 1_000_000,
            radius_m=300,
            capacity=200,
            network_addresses=[f"{nat_prefix(k)}.0/28"],
        )
        for k, inst in enumerate(p.institutions)
    )
    rooms = Room.objects.bulk_create(
        Room(site=site, name=name, kind=kind, capacity=50)
        for site in p.sites
        for name, kind in (
            ("理论机房", "computer"),
            ("笔试教室", "classroom"),
            ("实操车间", "workshop"),
        )
    )
    p.rooms = [{r.kind: r for r in rooms[3 * k : 3 * k + 3]} for k in range(n)]
    staff = []
    for k, inst in enumerate(p.institutions):
        for s in range(6):
            number = f"530102198001{k:04d}{s}X"
            staff.append(
                StaffMember(
                    institution=inst,
                    kind="examiner" if s < 4 else "staff",
                    full_name=person_name(rng),
                    id_type=IdType.RESIDENT,
                    id_number=number,
                    id_number_index=id_index(IdType.RESIDENT, f"{k}-{s}-{number}"),
                )
            )
    made = StaffMember.objects.bulk_create(staff)
    p.staff = [[m.pk for m in made[6 * k : 6 * k + 6]] for k in range(n)]


def nat_prefix(k: int) -> str:
    """The first three octets of institution ``k``'s computer rooms' listed network."""
    return f"172.{16 + k // 256}.{k % 256}"


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def fill_banks(p: Province) -> None:
    """A bank of objective items per standard level used (occupations × levels 5–3)."""
    from skillcert.catalog.models import WeightRow
    from skillcert.itembank.models import AssessmentPoint, Item

    rng = p.rng
    size = max(BANK_MIN, 3 * p.args.answers)
    areas = WeightRow.objects.bulk_create(
        WeightRow(
            standard_level=p.levels[key],
            table="theory",
            position=1,
            name="基础知识",
            percent=Decimal(100),
        )
        for key in sorted(p.levels)
        if key[1] >= 3
    )
    points = AssessmentPoint.objects.bulk_create(
        AssessmentPoint(
            standard_level=a.standard_level, area=a, code="A-001", name="职业道德与安全"
        )
        for a in areas
    )
    by_level = {pt.standard_level_id: pt for pt in points}
    items: list[Item] = []
    meta: list[tuple[str, str, tuple[str, ...]]] = []
    keys_of: list[tuple[int, int]] = []
    for key, level in sorted(p.levels.items()):
        if key[1] < 3:
            continue
        for i in range(size):
            if i % 5 == 4:  # one in five a true/false item
                answer = rng.choice("TF")
                wrong = "F" if answer == "T" else "T"
                options: list[dict[str, str]] = []
                others: tuple[str, ...] = ()
            else:
                answer = rng.choice("ABCD")
                rest = [k for k in "ABCD" if k != answer]
                rng.shuffle(rest)
                wrong, others = rest[0], tuple(json.dumps([k]) for k in rest[1:])
                options = [{"key": k, "text": f"选项{k}"} for k in "ABCD"]
            items.append(
                Item(
                    owner=p.centre,
                    standard_level=level,
                    point=by_level[level.pk],
                    family=uuid.UUID(int=rng.getrandbits(128)),
                    type="true_false" if not options else "single",
                    stem=f"{OCCUPATIONS[key[0]][1]}理论知识第{i + 1}题",
                    options=options,
                    answer=[answer],
                    status="active",
                )
            )
            meta.append((json.dumps([answer]), json.dumps([wrong]), others))
            keys_of.append(key)
    for item, (answer, wrong, others), key in zip(
        Item.objects.bulk_create(items, batch_size=5000), meta, keys_of, strict=True
    ):
        p.bank.setdefault(key, []).append((item, answer, wrong, others))
    p.counts["items"] = len(items)


def fill_batches(p: Province) -> None:
    from skillcert.batches.models import Batch, Session
    from skillcert.core.choices import SkillLevel
    from skillcert.exams.models import Sitting
    from skillcert.itembank.models import Paper, PaperItem

    rng, args = p.rng, p.args
    plans: list[BatchPlan] = []
    for n in range(args.batches):
        k = n % len(p.institutions)
        occupation = rng.choice(p.inst_scope[k])
        allowed = p.inst_levels[k]
        level = rng.choices(allowed, [LEVEL_WEIGHTS[x] for x in allowed])[0]
        t = rng.randrange(-LOOKAHEAD_DAYS, LOOKBACK_DAYS + 1)
        day = p.today - timedelta(days=t)
        plans.append(BatchPlan(0, k, occupation, level, day, batch_status(t, day, p), False))
    # Sizes: 18–48 candidates where candidates applied, scaled to --candidates in all.
    enrolled = [b for b in plans if b.status not in ("draft", "filed", "approved")]
    raw = [rng.randint(18, 48) for _ in enrolled]
    scale = args.candidates / max(1, sum(raw))
    for b, r in zip(enrolled, raw, strict=True):
        b.size = max(1, round(r * scale))
    surplus = sum(b.size for b in enrolled) - args.candidates
    for b in enrolled:
        if surplus == 0:
            break
        step = 1 if surplus > 0 else -1
        if b.size - step >= 1:
            b.size -= step
            surplus -= step
    held = [b for b in enrolled if b.day <= p.today]
    share = min(1.0, args.attempts / max(1, 0.92 * sum(b.size for b in held)))
    for b in plans:
        b.computer = rng.random() < share
    made = Batch.objects.bulk_create(
        [
            Batch(
                institution=p.institutions[b.institution],
                code=f"YN{b.day:%y}{n + 1:05d}",
                title=f"{OCCUPATIONS[b.occupation][1]}{SkillLevel(b.level).label}认定"
                f"（{b.day:%Y年%m月}）",
                standard_level=p.levels[(b.occupation, b.level)],
                occupation=p.occupations[b.occupation],
                level=b.level,
                planned_candidates=max(b.size, 20),
                enrollment_opens=b.day - timedelta(days=60),
                enrollment_closes=b.day - timedelta(days=30),
                status=b.status,
                filing_due=b.day - timedelta(days=1),
                filed_at=None if b.status == "draft" else p.at(b.day - timedelta(days=75), 10),
                decided_at=(
                    None if b.status in ("draft", "filed") else p.at(b.day - timedelta(days=72), 15)
                ),
                frozen_at=p.at(b.day) if b.day <= p.today else None,
            )
            for n, b in enumerate(plans)
        ],
        batch_size=2000,
    )
    for b, batch in zip(plans, made, strict=True):
        b.pk = batch.pk
    sessions = Session.objects.bulk_create(
        [
            Session(
                batch_id=b.pk,
                component=component,
                room=p.rooms[b.institution][kind],
                starts_at=p.at(b.day + timedelta(days=offset)),
                duration_minutes=minutes,
                status="closed" if b.day + timedelta(days=offset) < p.today else "planned",
            )
            for b in plans
            for component, kind, offset, minutes in (
                ("theory", "computer" if b.computer else "classroom", 0, 90),
                ("practical", "workshop", 1, 120),
            )
        ],
        batch_size=4000,
    )
    for b, theory, practical in zip(plans, sessions[::2], sessions[1::2], strict=True):
        b.theory, b.practical = theory.pk, practical.pk
    computer = [b for b in plans if b.computer]
    sittings = Sitting.objects.bulk_create(
        Sitting(
            session_id=b.theory,
            opened_at=p.at(b.day) if b.day <= p.today else None,
            ends_at=p.at(b.day, 10, 30) if b.day <= p.today else None,
            closed_at=p.at(b.day, 10, 30) if b.day < p.today else None,
        )
        for b in computer
    )
    for b, sitting in zip(computer, sittings, strict=True):
        b.sitting = sitting.pk
    # Two forms per sitting, each drawing --answers items from the level's bank.
    papers = Paper.objects.bulk_create(
        Paper(
            owner=p.centre,
            standard_level=p.levels[(b.occupation, b.level)],
            title=f"{OCCUPATIONS[b.occupation][1]}理论知识试卷",
            form_label=form,
            status="sealed",
            content_sha256=hashlib.sha256(f"{b.pk}{form}".encode()).hexdigest(),
            sealed_at=p.at(b.day - timedelta(days=2)),
        )
        for b in computer
        for form in "AB"
    )
    points = (Decimal(100) / args.answers).quantize(Decimal("0.01"))
    drawn: list[tuple[int, Any, int, tuple[Any, str, str, tuple[str, ...]]]] = []
    for n, b in enumerate(computer):
        for form in range(2):
            paper = papers[2 * n + form]
            picks = rng.sample(p.bank[(b.occupation, b.level)], args.answers)
            drawn.extend((n, paper, position, pick) for position, pick in enumerate(picks, 1))
    made_items = PaperItem.objects.bulk_create(
        (
            PaperItem(paper=paper, item=pick[0], position=position, points=points)
            for _n, paper, position, pick in drawn
        ),
        batch_size=10000,
    )
    infos: dict[int, PaperInfo] = {}
    for (n, paper, _position, pick), item in zip(drawn, made_items, strict=True):
        info = infos.setdefault(paper.pk, PaperInfo(paper.pk, []))
        if not info.items:
            computer[n].papers.append(info)
        info.items.append((item.pk, pick[1], pick[2], pick[3]))
    Sitting.papers.through.objects.bulk_create(
        Sitting.papers.through(sitting_id=b.sitting, paper_id=info.pk)
        for b in computer
        for info in b.papers
    )
    p.batches = plans
    p.counts.update(
        batches=len(plans),
        sessions=len(sessions),
        sittings=len(sittings),
        paper_items=len(made_items),
    )


def batch_status(t: int, day: date, p: Province) -> str:
    """The status a batch whose theory day is ``t`` days ago would have reached."""
    if t < -15:
        status = p.rng.choices(("draft", "filed", "approved", "enrolling"), (3, 2, 2, 3))[0]
        if status == "enrolling" and day - timedelta(days=30) < p.today:
            return "enrollment_closed"
        return status
    if t < 0:
        return "enrollment_closed"
    if t < 2:
        return "in_progress"
    if t < 5:
        return "assessed"
    if t < 12:
        return "results_published"
    if t < 25:
        return "results_filed"
    return "certificates_issued" if t < 200 else "archived"


def resident_ids(count: int, rng: random.Random) -> Iterator[tuple[str, date]]:
    from stdnum.cn import ric

    seen: set[str] = set()
    while len(seen) < count:
        born = date(1966, 1, 1) + timedelta(days=rng.randrange(14000))
        body = f"5301{rng.randrange(2, 30):02d}{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = body + ric.calc_check_digit(body + "0")
        if number not in seen:
            seen.add(number)
            yield number, born


def eligibility_json(level: int, declared: int | None) -> str:
    """The engine's stored findings as ``application_submit`` leaves them (shape only)."""
    from skillcert.catalog.eligibility import describe_route, national_template

    return json.dumps(
        [
            {
                "index": i,
                "label": describe_route(route),
                "holds": i == declared,
                "reasons": [] if i == declared else ["未找到相应记录"],
                "pending_diploma": False,
            }
            for i, route in enumerate(national_template(level))
        ],
        ensure_ascii=False,
    )


def fill_applications(p: Province) -> None:
    """Persons (one per application), the records their declared route needs, evidence,
    applications. Level 5 declares 1 year's work, level 4 a technical school diploma
    (from the registry) or 6 years' work, level 3 a level-4 certificate and 5 years."""
    from skillcert.core.choices import IdType
    from skillcert.core.personal import id_index, phone_index
    from skillcert.enrollment.models import (
        Application,
        EducationRecord,
        Evidence,
        HeldCertificate,
        Person,
        WorkRecord,
    )

    rng = p.rng
    cipher = Person._meta.get_field("id_number").get_prep_value
    total = sum(b.size for b in p.batches)
    people, apps, work, schools, held, evidence = [], [], [], [], [], []
    patterns: dict[tuple[int, int | None], str] = {}
    ids = resident_ids(total, rng)
    pid = 0
    for b in p.batches:
        occupation = p.occupations[b.occupation]
        for k in range(b.size):
            pid += 1
            number, born = next(ids)
            name = person_name(rng)
            phone = f"13{rng.randrange(10**9):09d}"
            index = id_index(IdType.RESIDENT, number)
            encrypted = cipher(number)
            p.persons.append((name, encrypted, index))
            people.append(
                (
                    pid,
                    name,
                    IdType.RESIDENT,
                    encrypted,
                    index,
                    "MF"[int(number[16]) % 2 == 0],
                    born,
                    cipher(phone),
                    phone_index(phone),
                    rng.choice((1, 1, 2, 2, 3)),
                )
            )
            status = application_status(b.status, rng)
            submitted = b.day - timedelta(days=rng.randrange(32, 60))
            if b.level == 5:
                route = 0
            elif b.level == 4:
                route = 2 if rng.random() < 0.5 else 1
            else:
                route = 0
            if route == 2:
                schools.append(
                    (
                        pid,
                        f"云南第{rng.randrange(1, 40)}技工学校",
                        "technical_school",
                        1,
                        f"{occupation.name}",
                        True,
                        submitted - timedelta(days=rng.randrange(365, 3000)),
                        "registry",
                    )
                )
            else:
                years = {5: (2, 15), 4: (7, 20), 3: (8, 20)}[b.level]
                started = submitted - timedelta(days=365 * rng.randint(*years) + 30)
                work.append(
                    (
                        pid,
                        f"云南{occupation.name}有限公司",
                        occupation.name,
                        occupation.pk,
                        True,
                        started,
                    )
                )
                if b.level == 3:
                    issued = started + timedelta(days=200)
                    held.append(
                        (
                            pid,
                            occupation.pk,
                            4,
                            f"S{pid:012d}",
                            issued,
                            "云南省职业技能鉴定中心",
                            "issued_here",
                        )
                    )
                evidence.append((pid, "work_proof"))
            evidence.extend(((pid, "id_document"), (pid, "photo")))
            approved = status == "approved"
            key = (b.level, route)
            if key not in patterns:
                patterns[key] = eligibility_json(b.level, route)
            if approved:
                b.approved.append(pid)
                p.admission[pid] = f"{b.pk:06d}{k + 1:04d}"
            p.app_person[pid] = pid
            apps.append(
                (
                    pid,
                    pid,
                    b.pk,
                    status,
                    route,
                    patterns[key],
                    True,
                    submitted,
                    p.at(submitted, 10),
                    f"10.{rng.randrange(256)}.{rng.randrange(256)}.7",
                    hashlib.sha256(b"pledge").hexdigest(),
                    None if status == "draft" else p.at(submitted, 10, 5),
                    p.at(submitted + timedelta(days=2), 15) if approved else None,
                    "机构审核员" if approved else "",
                    p.admission.get(pid),
                )
            )
    copy_rows(
        Person,
        [
            "id",
            "full_name",
            "id_type",
            "id_number",
            "id_number_index",
            "gender",
            "birth_date",
            "phone",
            "phone_index",
            "education_level",
        ],
        people,
    )
    copy_rows(
        EducationRecord,
        [
            "person_id",
            "school",
            "school_type",
            "education_level",
            "major",
            "related_major",
            "graduated_on",
            "source",
        ],
        schools,
    )
    copy_rows(
        WorkRecord,
        ["person_id", "employer", "job_title", "occupation_id", "related", "started_on"],
        work,
    )
    copy_rows(
        HeldCertificate,
        ["person_id", "occupation_id", "level", "number", "issued_on", "issuer", "source"],
        held,
    )
    copy_rows(
        Application,
        [
            "id",
            "person_id",
            "batch_id",
            "status",
            "declared_route",
            "eligibility",
            "eligible",
            "eligibility_checked_on",
            "pledge_signed_at",
            "pledge_client_address",
            "pledge_text_sha256",
            "submitted_at",
            "reviewed_at",
            "reviewed_by_label",
            "admission_number",
        ],
        apps,
    )
    copy_rows(
        Evidence,
        [
            "application_id",
            "kind",
            "file",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by_label",
        ],
        (
            (
                app,
                kind,
                f"evidence/2025/01/{app}-{kind}.pdf",
                f"{kind}.pdf",
                "application/pdf",
                120_000,
                hashlib.sha256(f"{app}{kind}".encode()).hexdigest(),
                "考生",
            )
            for app, kind in evidence
        ),
    )
    p.counts.update(
        persons=len(people),
        applications=len(apps),
        evidence=len(evidence),
        education=len(schools),
        work=len(work),
        held_certificates=len(held),
    )


def application_status(batch_status: str, rng: random.Random) -> str:
    roll = rng.random()
    if batch_status == "enrolling":
        return "submitted" if roll < 0.6 else "approved" if roll < 0.9 else "draft"
    return "approved" if roll < 0.95 else "rejected" if roll < 0.98 else "withdrawn"


def mobile_address(rng: random.Random) -> str:
    """A phone's address from a carrier's shared range (100.64.0.0/10)."""
    n = rng.getrandbits(22)
    return f"100.{64 + (n >> 16)}.{(n >> 8) & 255}.{n & 255}"


@dataclass
class AttemptPlan:
    pk: int
    paper: PaperInfo
    ability: float
    started: datetime
    status: str


def fill_exams(p: Province) -> None:
    """Seats in both sessions of batches past enrollment; attempts and their event log in
    the computer sittings held; check-ins at every session held."""
    from skillcert.enrollment.models import SeatAssignment
    from skillcert.exams.models import Attempt, AttemptEvent, CheckIn

    rng = p.rng
    seats: list[tuple[int, int, int, int]] = []
    attempts: list[tuple[AttemptPlan, int, int]] = []
    events: list[tuple[Any, ...]] = []
    checkins: list[tuple[Any, ...]] = []
    plans: list[AttemptPlan] = []
    seat_id = 0
    for b in p.batches:
        if b.status in ("draft", "filed", "approved", "enrolling"):
            continue
        held = b.day <= p.today
        site = p.sites[b.institution]
        nat = f"{nat_prefix(b.institution)}.1"
        for session, start in ((b.theory, p.at(b.day)), (b.practical, p.at(b.day + timedelta(1)))):
            for number, app in enumerate(b.approved, 1):
                seat_id += 1
                seats.append((seat_id, app, session, number))
                if not held:
                    continue
                if session == b.theory and rng.random() < 0.02:
                    b.absent.add(app)
                if app in b.absent:
                    continue
                arrived = start - timedelta(minutes=rng.randrange(5, 40))
                roll = rng.random()
                if roll < 0.05:  # the desk records the arrival from its own device
                    checkins.append(
                        (
                            session,
                            "candidate",
                            seat_id,
                            None,
                            arrived,
                            nat,
                            None,
                            None,
                            None,
                            None,
                            None,
                            "考务签到台",
                        )
                    )
                elif roll < 0.09:  # the browser gave no location
                    checkins.append(
                        (
                            session,
                            "candidate",
                            seat_id,
                            None,
                            arrived,
                            mobile_address(rng),
                            None,
                            None,
                            None,
                            None,
                            None,
                            "",
                        )
                    )
                else:
                    checkins.append(near(session, "candidate", seat_id, None, arrived, site, rng))
                if session != b.theory or not b.computer:
                    continue
                paper = b.papers[number % 2]
                roll = rng.random()
                status = (
                    "submitted" if roll < 0.93 else "timed_out" if roll < 0.99 else "terminated"
                )
                plans.append(
                    AttemptPlan(
                        0,
                        paper,
                        rng.uniform(0.55, 0.95),
                        start + timedelta(minutes=rng.randrange(0, 10)),
                        status,
                    )
                )
                plans[-1].pk = len(plans)
                attempts.append((plans[-1], seat_id, b.sitting))
            if held:
                for staff in rng.sample(p.staff[b.institution], 3):
                    arrived = start - timedelta(minutes=rng.randrange(30, 60))
                    checkins.append(near(session, "staff", None, staff, arrived, site, rng))
    copy_rows(SeatAssignment, ["id", "application_id", "session_id", "seat_number"], seats)
    institution_of = {b.sitting: b.institution for b in p.batches if b.sitting}
    rows = []
    for plan, seat, sitting in attempts:
        order = [item[0] for item in plan.paper.items]
        rng.shuffle(order)
        closed = plan.started + timedelta(minutes=rng.randrange(40, 90))
        rows.append(
            (
                plan.pk,
                seat,
                sitting,
                plan.paper.pk,
                plan.status,
                plan.started,
                plan.started + timedelta(minutes=90),
                closed,
                hashlib.sha256(f"attempt-{plan.pk}".encode()).hexdigest(),
                True,
                json.dumps(order),
                "graded",
                Decimal(round(plan.ability * 100, 2)),
            )
        )
        nat = f"{nat_prefix(institution_of[sitting])}.1"
        events.append((plan.pk, "login", plan.started, nat, AGENT))
        if rng.random() < 0.3:
            lost = plan.started + timedelta(minutes=rng.randrange(5, 35))
            events.append((plan.pk, "focus_lost", lost, nat, AGENT))
            events.append((plan.pk, "focus_back", lost + timedelta(seconds=20), nat, AGENT))
        if plan.status == "submitted":
            events.append((plan.pk, "submit", closed, nat, AGENT))
        else:
            kind = "timeout" if plan.status == "timed_out" else "proctor"
            events.append((plan.pk, kind, closed, None, ""))
    copy_rows(
        Attempt,
        [
            "id",
            "seat_id",
            "sitting_id",
            "paper_id",
            "status",
            "started_at",
            "deadline",
            "closed_at",
            "token_digest",
            "token_used",
            "item_order",
            "grading_status",
            "score",
        ],
        rows,
    )
    copy_rows(AttemptEvent, ["attempt_id", "kind", "at", "client_address", "user_agent"], events)
    copy_rows(
        CheckIn,
        [
            "session_id",
            "role",
            "seat_id",
            "staff_id",
            "at",
            "client_address",
            "latitude",
            "longitude",
            "accuracy_m",
            "distance_m",
            "within_radius",
            "recorded_by_label",
        ],
        checkins,
    )
    p.attempts = plans
    p.counts.update(
        seats=len(seats), attempts=len(rows), attempt_events=len(events), checkins=len(checkins)
    )


def near(
    session: int,
    role: str,
    seat: int | None,
    staff: int | None,
    at: datetime,
    site: Any,
    rng: random.Random,
) -> tuple[Any, ...]:
    """A check-in with a location within the site's radius."""
    distance = rng.randrange(0, 180)
    shift = Decimal(distance) / Decimal(111_000)
    return (
        session,
        role,
        seat,
        staff,
        at,
        mobile_address(rng),
        site.latitude + shift,
        site.longitude,
        rng.randrange(10, 60),
        distance,
        True,
        "",
    )


def fill_answers(p: Province) -> None:
    """One answer row per item of each attempt's paper, at its display position: right
    with the candidate's ability, else mostly the item's popular wrong answer."""
    from skillcert.exams.models import Answer

    rng = p.rng
    plans = p.attempts

    def rows() -> Iterator[tuple[Any, ...]]:
        pk = 0
        random_ = rng.random
        for plan in plans:
            items = list(plan.paper.items)
            rng.shuffle(items)
            saved = plan.started + timedelta(minutes=30)
            ability = plan.ability
            for position, (item, key, popular, others) in enumerate(items, 1):
                pk += 1
                roll = random_()
                if roll < BLANK:
                    yield (pk, plan.pk, position, item, None, 0, None, None)
                elif roll < BLANK + (1 - BLANK) * ability:
                    yield (pk, plan.pk, position, item, key, 1, saved, True)
                else:
                    wrong = popular if not others or random_() < 0.6 else rng.choice(others)
                    yield (pk, plan.pk, position, item, wrong, 1, saved, False)

    written = copy_rows(
        Answer,
        [
            "id",
            "attempt_id",
            "position",
            "paper_item_id",
            "response",
            "seq",
            "saved_at",
            "is_correct",
        ],
        rows(),
    )
    p.counts["answers"] = written


def fill_results(p: Province) -> None:
    """Results where results were published, at a pass rate near the group's (so none
    is 20 points above its peers), the batch's results record with its announcement, and
    a certificate per passed candidate once certificates were issued."""
    from skillcert.certificates.models import Certificate
    from skillcert.core.choices import IdType, SkillLevel
    from skillcert.results.models import BatchResults, Result

    rng = p.rng
    published = ("results_published", "results_filed", "certificates_issued", "archived")
    group_rate: dict[tuple[int, int], float] = {}
    results, certificates, records = [], [], []
    status_index: Counter[int] = Counter()
    serial = 0
    for b in p.batches:
        if b.status not in published:
            continue
        base = group_rate.setdefault((b.occupation, b.level), rng.uniform(0.62, 0.78))
        decided = [a for a in b.approved if a not in b.absent]
        rng.shuffle(decided)
        b.passed = decided[: round(min(0.95, base + rng.uniform(-0.05, 0.05)) * len(decided))]
        passed = set(b.passed)
        rows = []
        for app in b.approved:
            outcome = "absent" if app in b.absent else "passed" if app in passed else "failed"
            total: Decimal | None = None
            if outcome != "absent":
                low, high = (6000, 9800) if outcome == "passed" else (3000, 5990)
                total = Decimal(rng.randrange(low, high)) / 100
            results.append((app, outcome, total))
            name, _cipher, _index = p.persons[app - 1]
            rows.append(
                {
                    "application": app,
                    "admission_number": p.admission[app],
                    "name": name[0] + "*" * (len(name) - 1),
                    "id": "5301**********" + str(app % 10000).zfill(4),
                    "occupation": OCCUPATIONS[b.occupation][1],
                    "work_type": "",
                    "level": str(SkillLevel(b.level).label),
                    "outcome": outcome,
                    "outcome_label": {"passed": "合格", "failed": "不合格", "absent": "缺考"}[
                        outcome
                    ],
                    "scores": {"theory": str(total or ""), "practical": str(total or "")},
                }
            )
        status, filed, due = {
            "results_published": ("published", None, p.today + timedelta(days=3)),
            "results_filed": ("filed", b.day + timedelta(days=5), b.day + timedelta(days=8)),
        }.get(b.status, ("approved", b.day + timedelta(days=5), b.day + timedelta(days=8)))
        records.append(
            BatchResults(
                batch_id=b.pk,
                status=status,
                published_at=p.at(b.day + timedelta(days=3), 16),
                publicity_ends=b.day + timedelta(days=10),
                objections_close=b.day + timedelta(days=20),
                filing_due=due,
                announcement=rows,
                filed_at=p.at(filed, 11) if filed else None,
                filed_by_label="机构管理员" if filed else "",
                decided_at=p.at(b.day + timedelta(days=8), 9) if status == "approved" else None,
            )
        )
        if b.status not in ("certificates_issued", "archived"):
            continue
        inst = p.institutions[b.institution]
        issued = b.day + timedelta(days=20)
        for app in b.passed:
            serial += 1
            status_index[b.institution] += 1
            name, cipher, index = p.persons[app - 1]
            revoked = rng.random() < 0.01
            certificates.append(
                (
                    serial,
                    f"Y000053{inst.site_serial}{issued:%y}{b.level}{serial:06d}",
                    app,
                    b.pk,
                    app,
                    inst.pk,
                    name,
                    IdType.RESIDENT,
                    cipher,
                    index,
                    OCCUPATIONS[b.occupation][0],
                    OCCUPATIONS[b.occupation][1],
                    b.level,
                    inst.organisation.name,
                    issued,
                    "revoked" if revoked else "valid",
                    p.at(issued + timedelta(days=30)) if revoked else None,
                    status_index[b.institution],
                    f"{rng.getrandbits(128):032x}",
                    "机构管理员",
                )
            )
    copy_rows(Result, ["application_id", "outcome", "total"], results)
    BatchResults.objects.bulk_create(records, batch_size=500)
    copy_rows(
        Certificate,
        [
            "id",
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
            "level",
            "institution_name",
            "issue_date",
            "status",
            "revoked_at",
            "status_index",
            "id_salt",
            "issued_by_label",
        ],
        certificates,
    )
    p.counts.update(
        results=len(results), batch_results=len(records), certificates=len(certificates)
    )


# ---------------------------------------------------------------- planted anomalies


PLANTED_TABLE = "CREATE TABLE IF NOT EXISTS bench_planted (rule text, key text, note text)"


def plant(seed: int) -> list[tuple[str, str, str]]:
    """A few anomalies per rule, each on records no other plant touches; returns
    (rule, key, note) and keeps them in ``bench_planted``."""
    from django.db import connection, transaction

    rng = random.Random(seed + 1)
    found: list[tuple[str, str, str]] = []
    used: set[int] = set()  # batches touched
    with transaction.atomic():
        for step in (
            plant_late_plans,
            plant_late_results,
            plant_out_of_scope,
            plant_pass_rates,
            plant_answer_patterns,
            plant_shared_devices,
            plant_geofence,
            plant_eligibility,
            plant_certificates,
        ):
            found.extend(step(rng, used))
        with connection.cursor() as cursor:
            cursor.execute(PLANTED_TABLE)
            cursor.executemany("INSERT INTO bench_planted VALUES (%s, %s, %s)", found)
    return found


def planted_rows() -> list[tuple[str, str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(PLANTED_TABLE)
        cursor.execute("SELECT rule, key, note FROM bench_planted ORDER BY rule, key")
        return [(str(r), str(k), str(n)) for r, k, n in cursor.fetchall()]


def pick(queryset: Any, rng: random.Random, used: set[int], n: int, attr: str = "pk") -> list[Any]:
    """``n`` rows of ``queryset`` drawn at random whose batch (``attr``) is not used yet."""
    rows = [row for row in queryset if getattr(row, attr) not in used]
    chosen = rng.sample(rows, min(n, len(rows)))
    used.update(getattr(row, attr) for row in chosen)
    return chosen


def plant_late_plans(rng: random.Random, used: set[int]) -> list[tuple[str, str, str]]:
    from django.utils import timezone

    from skillcert.batches.models import Batch

    today = timezone.localdate()
    out = []
    for batch in pick(Batch.objects.filter(status="draft").order_by("pk"), rng, used, 2):
        Batch.objects.filter(pk=batch.pk).update(
            enrollment_opens=today - timedelta(days=70),
            enrollment_closes=today - timedelta(days=40),
            filing_due=today - timedelta(days=12),
        )
        out.append(("late_plan_filing", f"batch:{batch.pk}", "draft 12 days past its due date"))
    for batch in pick(
        Batch.objects.filter(status="certificates_issued").order_by("pk"), rng, used, 1
    ):
        late = datetime.combine(batch.filing_due + timedelta(days=4), clock(10))
        Batch.objects.filter(pk=batch.pk).update(
            filed_at=timezone.make_aware(late), decided_at=timezone.make_aware(late)
        )
        out.append(("late_plan_filing", f"batch:{batch.pk}", "filed 4 days after its due date"))
    return out


def plant_late_results(rng: random.Random, used: set[int]) -> list[tuple[str, str, str]]:
    from django.utils import timezone

    from skillcert.results.models import BatchResults

    today = timezone.localdate()
    out = []
    rows = (
        BatchResults.objects.filter(status="approved")
        .order_by("pk")
        .only("pk", "batch_id", "filing_due")
    )
    for results in pick(rows, rng, used, 2, "batch_id"):
        late = datetime.combine(results.filing_due + timedelta(days=3), clock(11))
        BatchResults.objects.filter(pk=results.pk).update(filed_at=timezone.make_aware(late))
        out.append(("late_results_filing", f"batch:{results.batch_id}", "filed 3 days late"))
    rows = BatchResults.objects.filter(status="published").order_by("pk").only("pk", "batch_id")
    for results in pick(rows, rng, used, 1, "batch_id"):
        BatchResults.objects.filter(pk=results.pk).update(filing_due=today - timedelta(days=4))
        out.append(("late_results_filing", f"batch:{results.batch_id}", "not filed, 4 days late"))
    return out


def plant_out_of_scope(rng: random.Random, used: set[int]) -> list[tuple[str, str, str]]:
    from django.utils import timezone

    from skillcert.batches.models import Batch, Session
    from skillcert.catalog.models import Occupation, StandardLevel
    from skillcert.institutions.models import Filing, Institution, ScopeEntry
    from skillcert.supervision.alert_rules_records import BATCH_LIVE

    out = []
    # The rule judges batches still to be carried out or under way. Levels 5 and 4 only: a
    # level-3 candidate's level-4 certificate is of the batch's old occupation.
    live_batches = Batch.objects.filter(status__in=BATCH_LIVE, level__gte=4).order_by("pk")
    for batch in pick(live_batches, rng, used, 1):
        scope = set(
            ScopeEntry.objects.filter(filing__institution=batch.institution_id).values_list(
                "occupation_id", flat=True
            )
        )
        other = Occupation.objects.exclude(pk__in=scope).order_by("pk").first()
        level = StandardLevel.objects.get(standard__occupation=other, level=batch.level)
        Batch.objects.filter(pk=batch.pk).update(occupation=other, standard_level=level)
        out.append(("out_of_scope", f"batch:{batch.pk}", "occupation outside the filing"))
    for batch in pick(live_batches, rng, used, 1):
        filing = Filing.objects.get(institution=batch.institution_id)
        after = datetime.combine(filing.valid_until + timedelta(days=30), clock(9))
        Session.objects.filter(batch=batch, component="practical").update(
            starts_at=timezone.make_aware(after)
        )
        out.append(("out_of_scope", f"batch:{batch.pk}", "a session after the filing expires"))
    # An institution suspended while it has batches still to carry out: each of them.
    live = Counter(
        Batch.objects.filter(status__in=BATCH_LIVE).values_list("institution_id", flat=True)
    )
    clean = [
        inst
        for inst, n in sorted(live.items(), key=lambda item: (item[1], item[0]))
        if not Batch.objects.filter(institution=inst, pk__in=used).exists()
    ]
    if clean:
        inst = clean[0]
        Institution.objects.filter(pk=inst).update(status="suspended")
        for pk in Batch.objects.filter(institution=inst, status__in=BATCH_LIVE).values_list(
            "pk", flat=True
        ):
            used.add(pk)
            out.append(("out_of_scope", f"batch:{pk}", "institution suspended"))
        used.update(Batch.objects.filter(institution=inst).values_list("pk", flat=True))
    return out


def plant_pass_rates(rng: random.Random, used: set[int]) -> list[tuple[str, str, str]]:
    from django.db.models import Count, Q

    from skillcert.batches.models import Batch
    from skillcert.results.models import Result
    from skillcert.supervision.alert_rules_records import RESULTS_OUT

    out = []
    # Only where the group (occupation, level) has other batches to compare with.
    groups = Counter(
        Batch.objects.filter(status__in=RESULTS_OUT).values_list("occupation_id", "level")
    )
    failed = Count("applications__result", filter=Q(applications__result__outcome="failed"))
    rows = [
        batch
        for batch in Batch.objects.filter(status="certificates_issued")
        .annotate(failed=failed)
        .filter(failed__gte=5)
        .order_by("pk")
        if groups[(batch.occupation_id, batch.level)] >= 4
    ]
    for batch in pick(rows, rng, used, 2):
        Result.objects.filter(application__batch=batch, outcome="failed").update(outcome="passed")
        out.append(("pass_rate", f"batch:{batch.pk}", f"{batch.failed} failed made passed"))
    return out


def plant_answer_patterns(rng: random.Random, used: set[int]) -> list[tuple[str, str, str]]:
    """In three sittings the candidate with the most wrong answers hands their sheet to a
    candidate with the same paper form: identical answers throughout."""
    from django.db import connection
    from django.db.models import Count, Q

    from skillcert.exams.models import Answer, Attempt, Sitting

    out = []
    rows = (
        Sitting.objects.annotate(n=Count("attempts", filter=Q(attempts__status="submitted")))
        .filter(n__gte=10)
        .select_related("session")
        .order_by("pk")
    )
    for sitting in pick_sittings(rows, rng, used, 3):
        wrong = (
            Answer.objects.filter(
                attempt__sitting=sitting, attempt__status="submitted", is_correct=False
            )
            .values("attempt_id", "attempt__paper_id")
            .annotate(n=Count("pk"))
            .order_by("-n", "attempt_id")
        )
        first = wrong[0]
        second = (
            Attempt.objects.filter(
                sitting=sitting, paper_id=first["attempt__paper_id"], status="submitted"
            )
            .exclude(pk=first["attempt_id"])
            .order_by("pk")
            .first()
        )
        assert second is not None
        with connection.cursor() as cursor:
            table = Answer._meta.db_table
            cursor.execute(
                f'UPDATE "{table}" b SET response = a.response, is_correct = a.is_correct '  # noqa: S608 - our own table name
                f'FROM "{table}" a WHERE a.attempt_id = %s AND b.attempt_id = %s '
                "AND a.paper_item_id = b.paper_item_id",
                [first["attempt_id"], second.pk],
            )
        low, high = sorted((first["attempt_id"], second.pk))
        out.append(
            (
                "answer_pattern",
                f"answers:{sitting.pk}:{low}:{high}",
                f"sheet with {first['n']} wrong answers copied",
            )
        )
    return out


def pick_sittings(rows: Any, rng: random.Random, used: set[int], n: int) -> list[Any]:
    chosen = [s for s in rows if s.session.batch_id not in used]
    chosen = rng.sample(chosen, min(n, len(chosen)))
    used.update(s.session.batch_id for s in chosen)
    return chosen


def plant_shared_devices(rng: random.Random, used: set[int]) -> list[tuple[str, str, str]]:
    """In two sittings three candidates sign in from one address the venue does not list."""
    from django.db.models import Count, Q

    from skillcert.exams.models import Attempt, AttemptEvent, Sitting

    out = []
    rows = (
        Sitting.objects.annotate(n=Count("attempts", filter=Q(attempts__status="submitted")))
        .filter(n__gte=10)
        .select_related("session")
        .order_by("pk")
    )
    for k, sitting in enumerate(pick_sittings(rows, rng, used, 2), 1):
        address = f"{FOREIGN}{k}"
        three = list(
            Attempt.objects.filter(sitting=sitting, status="submitted")
            .order_by("pk")
            .values_list("pk", flat=True)[:3]
        )
        AttemptEvent.objects.filter(attempt_id__in=three, kind="login").update(
            client_address=address, user_agent="Mozilla/5.0 (Linux; Android 13)"
        )
        out.append(("shared_device", f"device:{sitting.pk}:{address}", "3 sign-ins, one address"))
    return out


def plant_geofence(rng: random.Random, used: set[int]) -> list[tuple[str, str, str]]:
    """Check-ins 2.4 km from the site: two candidates at one session, a staff member at
    another, one candidate at a third."""
    from django.utils import timezone

    from skillcert.batches.models import Session
    from skillcert.exams.models import CheckIn

    out = []
    recent = timezone.now() - timedelta(days=200)
    rows = (
        Session.objects.filter(
            starts_at__gte=recent, starts_at__lte=timezone.now(), checkins__isnull=False
        )
        .distinct()
        .order_by("pk")
    )
    sessions = pick(rows, rng, used, 3, "batch_id")
    for session, (role, n) in zip(
        sessions, (("candidate", 2), ("staff", 1), ("candidate", 1)), strict=False
    ):
        ids = list(
            CheckIn.objects.filter(session=session, role=role, within_radius=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:n]
        )
        CheckIn.objects.filter(pk__in=ids).update(within_radius=False, distance_m=2400)
        out.append(("geofence", f"geofence:{session.pk}", f"{n} {role} check-in(s) 2.4 km away"))
    return out


def plant_eligibility(rng: random.Random, used: set[int]) -> list[tuple[str, str, str]]:
    """Three approved level-4 applications declaring 6 years' work with only 2; one
    submitted application declaring nothing and holding no record."""
    from skillcert.enrollment.models import (
        Application,
        EducationRecord,
        HeldCertificate,
        WorkRecord,
    )

    out = []
    rows = Application.objects.filter(status="approved", batch__level=4, declared_route=1).order_by(
        "pk"
    )
    for app in pick(rows, rng, used, 3, "batch_id"):
        checked = app.eligibility_checked_on
        WorkRecord.objects.filter(person_id=app.person_id).update(
            started_on=checked - timedelta(days=2 * 365)
        )
        out.append(("eligibility", f"application:{app.pk}", "declares 6 years' work, has 2"))
    rows = Application.objects.filter(status="submitted").order_by("pk")
    for app in pick(rows, rng, used, 1, "batch_id"):
        Application.objects.filter(pk=app.pk).update(declared_route=None)
        EducationRecord.objects.filter(person_id=app.person_id).delete()
        WorkRecord.objects.filter(person_id=app.person_id).delete()
        HeldCertificate.objects.filter(person_id=app.person_id).delete()
        out.append(("eligibility", f"application:{app.pk}", "no route declared, no record"))
    return out


def plant_certificates(rng: random.Random, used: set[int]) -> list[tuple[str, str, str]]:
    """A certificate whose result became failed, one whose result row is gone, and one
    issued in a batch whose results the centre has not approved yet."""
    import secrets

    from skillcert.certificates.models import Certificate
    from skillcert.results.models import Result

    out = []
    rows = (
        Certificate.objects.filter(status="valid")
        .order_by("pk")
        .only("pk", "batch_id", "application_id")
    )
    chosen = pick(rows, rng, used, 2, "batch_id")
    if chosen:
        Result.objects.filter(application_id=chosen[0].application_id).update(outcome="failed")
        out.append(("certificate_without_result", f"certificate:{chosen[0].pk}", "result failed"))
    if len(chosen) > 1:
        Result.objects.filter(application_id=chosen[1].application_id).delete()
        out.append(("certificate_without_result", f"certificate:{chosen[1].pk}", "no result"))
    results = (
        Result.objects.filter(outcome="passed", application__batch__status="results_filed")
        .exclude(application__batch_id__in=used)
        .select_related("application__batch__institution__organisation", "application__person")
        .order_by("pk")
    )
    for result in results[:1]:
        app = result.application
        batch, person = app.batch, app.person
        inst = batch.institution
        used.add(batch.pk)
        top = Certificate.objects.filter(institution=inst).order_by("-status_index").first()
        cert = Certificate.objects.create(
            number=f"Y000053{inst.site_serial}99{batch.level}{app.pk % 1_000_000:06d}",
            application=app,
            batch=batch,
            person=person,
            institution=inst,
            holder_name=person.full_name,
            id_type=person.id_type,
            id_number=person.id_number,
            id_number_index=person.id_number_index,
            occupation_code="-",
            occupation_name="-",
            level=batch.level,
            institution_name=inst.organisation.name,
            issue_date=batch.enrollment_closes,
            status_index=(top.status_index or 0) + 1 if top else 1,
            id_salt=secrets.token_hex(16),
        )
        out.append(
            (
                "certificate_without_result",
                f"certificate:{cert.pk}",
                "issued before the results were approved",
            )
        )
    return out


# ---------------------------------------------------------------- measuring


def baseline_querysets(name: str, province: Any, now: datetime) -> list[Any]:
    """The rows rule ``name`` needs, as ``values_list`` querysets with its filters."""
    from skillcert.batches.models import Batch, Session
    from skillcert.certificates.models import Certificate
    from skillcert.enrollment.choices import APPLICATION_IN_PLAY
    from skillcert.enrollment.models import (
        Application,
        EducationRecord,
        Evidence,
        HeldCertificate,
        StudentStatus,
        WorkRecord,
    )
    from skillcert.exams.choices import CLOSED_ATTEMPT, CheckInRole
    from skillcert.exams.models import Answer, AttemptEvent, CheckIn
    from skillcert.institutions.models import ScopeEntry
    from skillcert.itembank.models import PaperItem
    from skillcert.results.models import BatchResults, Result
    from skillcert.supervision.alert_rules_exams import CANDIDATE_EVENT_KINDS, _sessions
    from skillcert.supervision.alert_rules_records import BATCH_LIVE, DECIDED, RESULTS_OUT

    code = province.code
    batches = Batch.objects.filter(institution__organisation__province_id=code)
    sessions = Session.objects.filter(batch__institution__organisation__province_id=code)
    window = _sessions(province, now)
    unscored = batches.filter(status__in=["in_progress", "assessed"], results__isnull=True)
    applications = Application.objects.filter(
        batch__institution__organisation__province_id=code, status__in=sorted(APPLICATION_IN_PLAY)
    )
    persons = applications.values("person_id")
    answers = Answer.objects.filter(
        attempt__sitting__session__in=window,
        attempt__status__in=CLOSED_ATTEMPT,
        response__isnull=False,
    )
    events = AttemptEvent.objects.filter(
        attempt__sitting__session__in=window,
        kind__in=CANDIDATE_EVENT_KINDS,
        client_address__isnull=False,
    )
    sets: dict[str, list[Any]] = {
        "late_plan_filings": [
            batches.values_list("pk", "code", "status", "filing_due", "filed_at", "institution_id"),
            sessions.values_list("batch_id", "starts_at"),
        ],
        "late_results_filings": [
            BatchResults.objects.filter(
                batch__institution__organisation__province_id=code
            ).values_list("pk", "batch_id", "batch__code", "status", "filing_due", "filed_at"),
            unscored.values_list("pk", "code", "enrollment_closes"),
            sessions.filter(batch__in=unscored).values_list("batch_id", "starts_at"),
        ],
        "out_of_scope_batches": [
            batches.filter(status__in=BATCH_LIVE).values_list(
                "pk",
                "code",
                "status",
                "level",
                "occupation_id",
                "work_type_id",
                "standard_level__standard_id",
                "institution__type",
                "institution__status",
            ),
            sessions.filter(batch__status__in=BATCH_LIVE).values_list("batch_id", "starts_at"),
            ScopeEntry.objects.filter(
                filing__institution__organisation__province_id=code
            ).values_list(
                "filing__institution_id",
                "filing__valid_from",
                "filing__valid_until",
                "occupation_id",
                "work_type_id",
                "standard_id",
                "lowest_level",
                "highest_level",
                "is_active",
            ),
        ],
        "pass_rates": [
            Result.objects.filter(
                application__batch__institution__organisation__province_id=code,
                application__batch__status__in=RESULTS_OUT,
                outcome__in=DECIDED,
            ).values_list("application__batch_id", "outcome"),
        ],
        "answer_patterns": [
            PaperItem.objects.filter(paper__attempts__sitting__session__in=window)
            .distinct()
            .values_list("pk", "position", "item__answer"),
            answers.values_list("attempt_id", "paper_item_id", "response"),
        ],
        "shared_devices": [
            events.values_list(
                "attempt__sitting_id",
                "client_address",
                "attempt__seat_id",
                "attempt_id",
                "at",
                "user_agent",
            ),
            CheckIn.objects.filter(
                session__in=window,
                session__sitting__isnull=False,
                role=CheckInRole.CANDIDATE,
                seat__isnull=False,
                recorded_by_label="",
                client_address__isnull=False,
            ).values_list("session__sitting", "client_address", "seat_id", "pk", "at"),
        ],
        "geofence_signins": [
            CheckIn.objects.filter(session__in=window, within_radius=False).values_list(
                "pk", "session_id", "role", "seat_id", "staff_id", "at", "distance_m"
            ),
        ],
        "eligibility_mismatches": [
            applications.values_list(
                "pk",
                "status",
                "person_id",
                "person__full_name",
                "declared_route",
                "eligibility_checked_on",
                "submitted_at",
                "batch_id",
                "batch__standard_level__eligibility_routes",
                "batch__occupation_id",
            ),
            EducationRecord.objects.filter(person_id__in=persons).values_list(
                "person_id",
                "school",
                "school_type",
                "education_level",
                "major",
                "related_major",
                "graduated_on",
                "verified_at",
                "source",
            ),
            StudentStatus.objects.filter(person_id__in=persons).values_list(
                "person_id",
                "school",
                "school_type",
                "major",
                "related_major",
                "graduation_year",
                "state",
                "source",
            ),
            WorkRecord.objects.filter(person_id__in=persons).values_list(
                "person_id", "occupation_id", "related", "started_on", "ended_on"
            ),
            HeldCertificate.objects.filter(person_id__in=persons).values_list(
                "person_id", "occupation_id", "level", "issued_on", "source"
            ),
            Evidence.objects.filter(application__in=applications).values_list(
                "application_id", "kind"
            ),
        ],
        "certificates_without_result": [
            Certificate.objects.filter(
                institution__organisation__province_id=code, status="valid"
            ).values_list(
                "pk",
                "number",
                "holder_name",
                "institution_id",
                "batch_id",
                "application_id",
                "application__result__outcome",
                "application__result__void_grade",
                "batch__results__pk",
                "batch__results__status",
            ),
        ],
    }
    return sets[name]


def stream(querysets: list[Any]) -> int:
    """Run each queryset's own SQL on a bare cursor and fetch every row."""
    from django.db import connection

    rows = 0
    with connection.cursor() as cursor:
        for queryset in querysets:
            sql, params = queryset.query.sql_with_params()
            cursor.execute(sql, params)
            while chunk := cursor.fetchmany(10_000):
                rows += len(chunk)
    return rows


class QueryCount:
    """Counts the SQL statements run through Django's connection."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.n += 1
        return execute(sql, params, many, context)


@dataclass
class Figure:
    name: str
    seconds: list[float] = field(default_factory=list)
    base: list[float] = field(default_factory=list)
    queries: int = 0
    rows: int = 0
    keys: set[str] = field(default_factory=set)


def measure(rounds: int) -> bool:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone, translation

    from skillcert.core.actors import Actor
    from skillcert.core.models import Region
    from skillcert.supervision.alerts import RULES, alerts_scan
    from skillcert.supervision.policies import policy_for

    province = Region.objects.get(code=PROVINCE)
    policy = policy_for(province)
    planted = planted_rows()
    figures = [Figure(rule_name(rule)) for rule in RULES]
    scans: list[tuple[float, int, Any]] = []
    for n in range(rounds):
        for rule, figure in zip(RULES, figures, strict=True):
            now = timezone.now()
            started = time.perf_counter()
            figure.rows = stream(baseline_querysets(figure.name, province, now))
            figure.base.append(time.perf_counter() - started)
            count = QueryCount()
            with translation.override(settings.LANGUAGE_CODE), connection.execute_wrapper(count):
                started = time.perf_counter()
                findings = rule(province, policy, now)
                figure.seconds.append(time.perf_counter() - started)
            figure.queries = count.n
            figure.keys = {f.key for f in findings}
            print(
                f"  round {n + 1}: {figure.name} {figure.seconds[-1]:.2f} s "
                f"(baseline {figure.base[-1]:.2f} s)",
                flush=True,
            )
        count = QueryCount()
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            report = alerts_scan(actor=Actor.system("bench"), province=province)
            scans.append((time.perf_counter() - started, count.n, report))
        print(f"  round {n + 1}: alerts_scan {scans[-1][0]:.2f} s", flush=True)
    return report_figures(figures, scans, planted)


def report_figures(
    figures: list[Figure], scans: list[tuple[float, int, Any]], planted: list[tuple[str, str, str]]
) -> bool:
    from skillcert.supervision.alerts import RULES
    from skillcert.supervision.choices import AlertRule

    by_rule: dict[str, set[str]] = defaultdict(set)
    for rule, key, _note in planted:
        by_rule[rule].add(key)
    assert {rule_name(r) for r in RULES} == set(RULE_OF)
    assert set(RULE_OF.values()) == set(AlertRule.values)
    rule_of = RULE_OF
    print(
        f"\n{'rule':30} {'alerts':>7} {'planted':>8} {'queries':>8} {'base rows':>10} "
        f"{'rule s':>8} {'base s':>8} {'rule/base':>9}"
    )
    missed: list[str] = []
    total_base = 0.0
    for figure in figures:
        value = rule_of[figure.name]
        keys = by_rule.get(value, set())
        found = keys & figure.keys
        missed += [f"{value} {key}" for key in sorted(keys - figure.keys)]
        best, base = min(figure.seconds), min(figure.base)
        total_base += base
        print(
            f"{figure.name:30} {len(figure.keys):7,} {len(found):>3}/{len(keys):<4} "
            f"{figure.queries:8,} {figure.rows:10,} {best:8.2f} {base:8.2f} "
            f"{best / base if base else 0:9.1f}"
        )
    seconds = [s for s, _n, _r in scans]
    last = scans[-1][2]
    print(
        f"{'alerts_scan (whole)':30} {last.findings:7,} {'':8} {scans[-1][1]:8,} {'':10} "
        f"{min(seconds):8.2f} {total_base:8.2f} {min(seconds) / total_base:9.1f}"
    )
    print(
        "alerts_scan rounds: "
        + "; ".join(
            f"{s:.2f} s (created {r.created}, refreshed {r.refreshed})" for s, _n, r in scans
        )
    )
    extra = sum(len(f.keys - by_rule.get(rule_of[f.name], set())) for f in figures)
    print(f"planted {len(planted)}, missed {len(missed)}, raised beyond the planted {extra}")
    for line in missed:
        print(f"  missed: {line}")
    return not missed


# Each rule function and the AlertRule value its findings carry.
RULE_OF = {
    "late_plan_filings": "late_plan_filing",
    "late_results_filings": "late_results_filing",
    "out_of_scope_batches": "out_of_scope",
    "pass_rates": "pass_rate",
    "answer_patterns": "answer_pattern",
    "shared_devices": "shared_device",
    "geofence_signins": "geofence",
    "eligibility_mismatches": "eligibility",
    "certificates_without_result": "certificate_without_result",
}


def rule_name(rule: Any) -> str:
    return str(getattr(rule, "__name__", rule))


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else "",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--postgres",
        default=DEFAULT_POSTGRES,
        help="the database the bench creates and drops (default %(default)s)",
    )
    parser.add_argument("--institutions", type=int, default=200)
    parser.add_argument("--batches", type=int, default=2000)
    parser.add_argument("--candidates", type=int, default=60_000, help="applications")
    parser.add_argument(
        "--attempts",
        type=int,
        default=0,
        help="computer-based theory attempts, about (default: half the candidates)",
    )
    parser.add_argument(
        "--answers", type=int, default=60, help="items per paper (answers per attempt)"
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept earlier")
    args = parser.parse_args()
    args.attempts = args.attempts or args.candidates // 2
    if not args.postgres.startswith(("postgres://", "postgresql://")):
        raise SystemExit("alerts_scan needs PostgreSQL")
    if args.institutions < 10 or args.batches < args.institutions or args.answers < 10:
        raise SystemExit("need at least 10 institutions, a batch each and 10 answers")
    return args


def main() -> None:
    args = parse_args()
    url = args.postgres
    ok = False
    with tempfile.TemporaryDirectory(prefix="alerts-bench-") as tmp:
        try:
            if not args.reuse:
                print(f"database {db_name(url)}: create, migrate, fill", flush=True)
                recreate(url)
            started = time.monotonic()
            setup_django(url, Path(tmp), migrate=not args.reuse)
            if not args.reuse:
                counts = fill(args)
                planted = plant(args.seed)
                print(
                    f"filled in {time.monotonic() - started:.0f} s: "
                    + ", ".join(f"{k} {v:,}" for k, v in counts.items())
                    + f"; {len(planted)} anomalies planted",
                    flush=True,
                )
            ok = measure(args.rounds)
        finally:
            from django.db import connections

            connections.close_all()
            if not args.reuse and not args.keep:
                drop(url)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
