"""The statistics tests' world, written straight through the ORM (the workflows that
normally make results and certificates are tested in their own apps).

``build_stats(cast)``: institutions A (Kunming, technical school), B (Qujing, set to an
enterprise) and C (Kunming, a higher vocational school outside the cast); 车工 and 电工;
batches across both cities, levels and months of 2024 and 2025 with approved results
(one batch's results only filed), certificates (some revoked, one issued a month after
the others, one batch's results approved just after midnight local time on 1 December,
which is still 30 November in UTC), voided and absent results; the education
registry (a province import and a Qujing import, one student imported twice) and
declared student statuses; the province's targets; current credit scores of A and B.

``expected(...)`` recomputes any figure directly from Certificate, Result and
StudentRegistryRecord rows in Python, independently of the aggregates code.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils import timezone

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.catalog.models import Standard
from skillcert.certificates.choices import CertificateStatus
from skillcert.certificates.models import Certificate
from skillcert.core.actors import Actor
from skillcert.core.choices import IdType, OrganisationKind, Role, ScopeLevel
from skillcert.core.models import Organisation, ProvincePolicy, Region
from skillcert.enrollment.choices import ApplicationStatus, StudentState
from skillcert.enrollment.models import (
    Application,
    Person,
    RegistryImport,
    StudentRegistryRecord,
    StudentStatus,
)
from skillcert.institutions.choices import InstitutionType
from skillcert.institutions.models import Institution
from skillcert.results.choices import Outcome, ResultsStatus
from skillcert.results.models import BatchResults, Result
from skillcert.stats.aggregates import GRADUATING_STATES
from skillcert.supervision.choices import CreditGrade
from skillcert.supervision.models import CreditScore
from tests.conftest import Cast
from tests.enrollment.conftest import make_batch
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, resident_id
from tests.institutions.conftest import World, another_institution, build_world, set_type

_serial = itertools.count(1)
P, F, A, V, N = Outcome.PASSED, Outcome.FAILED, Outcome.ABSENT, Outcome.VOID, Outcome.PENDING


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware datetime on ``day`` in the project's time zone (Asia/Shanghai)."""
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


@dataclass
class StatsWorld:
    cast: Cast
    world: World
    inst_c: Institution
    batches: dict[str, Batch] = field(default_factory=dict)
    holders: dict[str, Person] = field(default_factory=dict)
    city_b_edu: Organisation | None = None

    @property
    def inst_a(self) -> Institution:
        return self.world.inst_a

    @property
    def inst_b(self) -> Institution:
        return self.world.inst_b

    def city_b_education(self) -> Actor:
        """An education official of Qujing (city level)."""
        assert self.city_b_edu is not None
        user = UserFactory()
        membership = MembershipFactory(
            user=user, role=Role.EDUCATION_OFFICIAL, organisation=self.city_b_edu
        )
        return Actor(user=user, membership=membership)

    # --- writers ------------------------------------------------------------------------

    def batch(
        self,
        key: str,
        institution: Institution,
        standard: Standard,
        level: int,
        *,
        outcomes: list[str],
        decided: datetime | None,
        results_status: str = ResultsStatus.APPROVED,
    ) -> Batch:
        """A batch with one approved application and result per outcome."""
        batch = make_batch(institution, standard, level, BatchStatus.RESULTS_FILED)
        self.batches[key] = batch
        for outcome in outcomes:
            result_for(self.application(batch), outcome)
        BatchResults.objects.create(batch=batch, status=results_status, decided_at=decided)
        return batch

    def application(self, batch: Batch) -> Application:
        n = next(_serial)
        person = Person.objects.create(
            full_name=f"统计考生{n}",
            id_type=IdType.RESIDENT,
            id_number=resident_id(serial=n),
            id_number_index=f"stats-{n}",
        )
        return Application.objects.create(
            person=person, batch=batch, status=ApplicationStatus.APPROVED
        )

    def certify(
        self, batch: Batch, day: date, *, count: int | None = None, revoked: int = 0
    ) -> list[Certificate]:
        """Certificates for the batch's passed candidates not yet certified (the first
        ``count``), issued on ``day``; the first ``revoked`` of them revoked."""
        pending = (
            Application.objects.filter(batch=batch, result__outcome=P, certificate__isnull=True)
            .select_related("person")
            .order_by("pk")
        )
        made = [certificate_for(a, day) for a in list(pending)[:count]]
        for certificate in made[:revoked]:
            Certificate.objects.filter(pk=certificate.pk).update(
                status=CertificateStatus.REVOKED, revoked_at=at(day, 12)
            )
        return made

    def registry(self, organisation: Organisation, rows: list[dict[str, Any]]) -> RegistryImport:
        source = RegistryImport.objects.create(
            organisation=organisation, file_name="学籍.xlsx", rows=len(rows), imported_by_label="t"
        )
        for row in rows:
            StudentRegistryRecord.objects.create(
                source=source,
                full_name=row.get("name", "学生"),
                school=row["school"],
                major=row["major"],
                major_code=row.get("major_code", ""),
                enrollment_year=row["year"] - 3,
                graduation_year=row["year"],
                state=row.get("state", StudentState.ENROLLED),
                id_number_index=row["index"],
            )
        return source


def result_for(application: Application, outcome: str) -> Result:
    return Result.objects.create(
        application=application,
        outcome=outcome,
        void_grade="serious" if outcome == V else "",
        total=Decimal("70") if outcome in (P, F) else None,
    )


def certificate_for(application: Application, day: date) -> Certificate:
    n = next(_serial)
    batch, person = application.batch, application.person
    return Certificate.objects.create(
        number=f"Y000053{n:015d}",
        application=application,
        batch=batch,
        person=person,
        institution=batch.institution,
        holder_name=person.full_name,
        id_type=person.id_type,
        id_number=person.id_number,
        id_number_index=person.id_number_index,
        occupation_code=batch.occupation.code,
        occupation_name=batch.occupation.name,
        level=batch.level,
        institution_name=batch.institution.organisation.name,
        issue_date=day,
    )


def holder_index(batch: Batch, position: int) -> str:
    """The ID index of the ``position``-th certificate holder of the batch."""
    return list(
        Certificate.objects.filter(batch=batch)
        .order_by("pk")
        .values_list("id_number_index", flat=True)
    )[position]


def build_stats(cast: Cast) -> StatsWorld:
    world = build_world(cast)
    set_type(world.inst_b, InstitutionType.ENTERPRISE)
    sw = StatsWorld(
        cast=cast,
        world=world,
        inst_c=another_institution("530100", InstitutionType.HIGHER_VOCATIONAL),
    )
    lathe, electric = world.lathe_std, world.electric_std
    a, b, c = sw.inst_a, sw.inst_b, sw.inst_c

    one = sw.batch("a_lathe5", a, lathe, 5, outcomes=[P, P, P, F, A], decided=at(date(2024, 6, 20)))
    sw.certify(one, date(2024, 6, 25), revoked=1)
    two = sw.batch("a_elec4", a, electric, 4, outcomes=[P, P, F, V], decided=at(date(2024, 7, 10)))
    sw.certify(two, date(2024, 7, 15), count=1)
    sw.certify(two, date(2024, 8, 1))  # a held certificate issued later
    # Approved at 00:30 on 1 December local time (30 November in UTC): December.
    three = sw.batch(
        "b_lathe4", b, lathe, 4, outcomes=[P, P, P, P, F], decided=at(date(2024, 12, 1), 0, 30)
    )
    sw.certify(three, date(2025, 1, 5), revoked=2)
    four = sw.batch("c_lathe3", c, lathe, 3, outcomes=[P, P, V, V], decided=at(date(2025, 3, 10)))
    sw.certify(four, date(2025, 3, 12))
    # Results filed, not yet approved: nothing of them counts.
    sw.batch(
        "b_elec5_filed",
        b,
        electric,
        5,
        outcomes=[P, P],
        decided=None,
        results_status=ResultsStatus.FILED,
    )
    six = sw.batch("c_elec5", c, electric, 5, outcomes=[P, F, N], decided=at(date(2025, 6, 1)))
    sw.certify(six, date(2025, 6, 2))
    seven = sw.batch("b_lathe5", b, lathe, 5, outcomes=[P, P, P], decided=at(date(2025, 6, 3)))
    sw.certify(seven, date(2025, 6, 9))

    _students(sw)
    _policy_and_credit(sw)
    return sw


def _students(sw: StatsWorld) -> None:
    b = sw.batches
    # Holders: registry graduation year equal to the issue year (students), a different
    # year (not), withdrawn (not); one declared 学籍 only; one imported twice.
    school_1, school_2 = "昆明技师学院", "曲靖工业技术学校"
    enrolled, graduated = StudentState.ENROLLED, StudentState.GRADUATED
    withdrawn, suspended = StudentState.WITHDRAWN, StudentState.SUSPENDED

    def student(index: str, school: str, major: str, year: int, state: str = enrolled) -> Any:
        return {"index": index, "school": school, "major": major, "year": year, "state": state}

    sw.registry(
        Organisation.objects.get(name="云南省教育厅"),
        [
            student(holder_index(b["a_lathe5"], 0), school_1, "数控技术", 2024),
            student(holder_index(b["a_lathe5"], 1), school_1, "数控技术", 2024, graduated),
            student(holder_index(b["a_lathe5"], 2), school_1, "数控技术", 2025),
            student(holder_index(b["a_elec4"], 0), school_1, "电气自动化", 2024, withdrawn),
            student(holder_index(b["c_lathe3"], 0), school_1, "机电一体化", 2025),
            student("no-certificate-1", school_1, "数控技术", 2024),
            student("no-certificate-2", school_1, "会计", 2024),
            student("no-certificate-3", school_1, "机电一体化", 2025),
            student("suspended-1", school_1, "会计", 2024, suspended),
        ],
    )
    sw.city_b_edu = OrganisationFactory(
        name="曲靖市教育局",
        kind=OrganisationKind.CITY_EDU,
        province=Region.objects.get(code="530000"),
        city=Region.objects.get(code="530300"),
    )
    twice = holder_index(b["b_lathe4"], 2)
    sw.registry(
        sw.city_b_edu,
        [
            student(holder_index(b["b_lathe4"], 0), school_2, "车工", 2025),
            student(twice, school_2, "焊接", 2025),
            student("no-certificate-4", school_2, "焊接", 2025),
        ],
    )
    # The newer import moves the student to 车工 (the newest record counts).
    sw.registry(
        sw.city_b_edu, [{"index": twice, "school": school_2, "major": "车工", "year": 2025}]
    )
    declared = Person.objects.get(id_number_index=holder_index(b["b_lathe5"], 0))
    StudentStatus.objects.create(
        person=declared,
        school=school_2,
        major="车工",
        enrollment_year=2022,
        graduation_year=2025,
    )


def _policy_and_credit(sw: StatsWorld) -> None:
    ProvincePolicy.objects.update_or_create(
        province_id="530000",
        defaults={
            "student_target_count": 10,
            "student_target_year": 2025,
            "major_coverage_target_percent": 80,
        },
    )
    for institution, score, grade in (
        (sw.inst_a, "92.5", CreditGrade.A),
        (sw.inst_b, "71.0", CreditGrade.C),
    ):
        CreditScore.objects.create(
            institution=institution,
            computed_on=date(2025, 6, 30),
            period_start=date(2024, 7, 1),
            period_end=date(2025, 6, 30),
            score=Decimal(score),
            grade=grade,
            is_current=True,
        )  # fmt: skip


# ---------------------------------------------------------------- direct computation


@dataclass
class Expected:
    certificates: int = 0
    valid: int = 0
    revoked: int = 0
    students: int = 0
    results: int = 0
    passed: int = 0
    failed: int = 0
    void: int = 0


Key = Callable[[dict[str, Any]], Any]


def in_scope(actor: Actor) -> Callable[[Organisation], bool]:
    org = actor.organisation
    assert org is not None
    if actor.level == ScopeLevel.PROVINCE:
        return lambda o: o.province_id == org.province_id
    if actor.level == ScopeLevel.CITY:
        return lambda o: o.city_id == org.city_id
    return lambda o: o.pk == org.pk


def _is_student(certificate: Certificate) -> bool:
    year = certificate.issue_date.year
    registry = StudentRegistryRecord.objects.filter(
        id_number_index=certificate.id_number_index, graduation_year=year
    )
    declared = StudentStatus.objects.filter(person_id=certificate.person_id, graduation_year=year)
    return any(r.state in GRADUATING_STATES for r in registry) or any(
        s.state in GRADUATING_STATES for s in declared
    )


def facts() -> list[dict[str, Any]]:
    """One dict per counted certificate and per counted result, with its dimensions."""
    rows: list[dict[str, Any]] = []
    for c in Certificate.objects.select_related("batch__occupation", "institution__organisation"):
        rows.append(
            {
                "kind": "certificate",
                "month": c.issue_date.replace(day=1),
                "batch": c.batch,
                "org": c.institution.organisation,
                "type": c.institution.type,
                "occupation": c.batch.occupation.code,
                "level": c.batch.level,
                "status": c.status,
                "student": _is_student(c),
            }
        )
    results = Result.objects.select_related(
        "application__batch__results",
        "application__batch__occupation",
        "application__batch__institution__organisation",
    )
    for r in results:
        batch = r.application.batch
        approval = batch.results
        if approval.status != ResultsStatus.APPROVED or r.outcome == N:
            continue
        assert approval.decided_at is not None
        rows.append(
            {
                "kind": "result",
                "month": timezone.localtime(approval.decided_at).date().replace(day=1),
                "batch": batch,
                "org": batch.institution.organisation,
                "type": batch.institution.type,
                "occupation": batch.occupation.code,
                "level": batch.level,
                "outcome": r.outcome,
            }
        )
    return rows


def expected(
    actor: Actor,
    *,
    where: Callable[[dict[str, Any]], bool] = lambda f: True,
    key: Key | None = None,
) -> dict[Any, Expected]:
    """The figures of the facts in ``actor``'s scope matching ``where``, grouped by
    ``key`` (one group ``None`` without)."""
    scope = in_scope(actor)
    groups: dict[Any, Expected] = defaultdict(Expected)
    for f in facts():
        if not (scope(f["org"]) and where(f)):
            continue
        e = groups[key(f) if key else None]
        if f["kind"] == "certificate":
            e.certificates += 1
            e.valid += f["status"] == CertificateStatus.VALID
            e.revoked += f["status"] == CertificateStatus.REVOKED
            e.students += f["student"]
        else:
            e.results += 1
            e.passed += f["outcome"] == P
            e.failed += f["outcome"] in (F, A)
            e.void += f["outcome"] == V
    return dict(groups)


def expected_coverage(
    *, province: str = "530000", city: str | None = None, year: int | None = None
) -> dict[tuple[int, str, str], tuple[int, int]]:
    """(year, school, major) → (graduating, certified) from the registry rows, newest record per
    student, counted in Python."""
    newest: dict[str, StudentRegistryRecord] = {}
    for record in StudentRegistryRecord.objects.select_related("source__organisation").order_by(
        "pk"
    ):
        if record.source.organisation.province_id == province:
            newest[record.id_number_index] = record
    valid = set(
        Certificate.objects.filter(status=CertificateStatus.VALID).values_list(
            "id_number_index", flat=True
        )
    )
    out: dict[tuple[int, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for record in newest.values():
        if record.state not in GRADUATING_STATES:
            continue
        if year is not None and record.graduation_year != year:
            continue
        if city is not None and record.source.organisation.city_id != city:
            continue
        group = out[(record.graduation_year, record.school, record.major)]
        group[0] += 1
        group[1] += record.id_number_index in valid
    return {k: (v[0], v[1]) for k, v in out.items()}
