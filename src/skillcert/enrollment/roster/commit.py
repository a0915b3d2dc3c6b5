"""Writing a clean roster: persons, student records and applications in one transaction.

* A person not yet registered is created with the ID and phone numbers encrypted by the
  model field and their blind indexes from ``core.personal``; birth date and gender come
  from the ID number. A person already registered (same ID type and number) is reused
  as stored: the roster never overwrites what a person or an earlier roster entered.
* 学校/专业/入学年份/毕业年份, when given, become a :class:`StudentStatus` (在读 until the
  graduation year has begun, then 已毕业), unless the person already has that record.
* Each row becomes an :class:`Application` in status DRAFT: the institution prepares the
  applications on the candidates' behalf, and the truthfulness pledge is the candidate's
  own act (云人社函〔2023〕1号 二(一)), so each candidate still signs and submits. A
  student who qualifies through a school route is flagged ``diploma_pending``: the
  certificate waits until the diploma is verified (云人社通〔2023〕23号).
  ``declared_route`` stores the 0-based index into the standard level's routes (the
  sheet and the exports show it 1-based).
* The eligibility engine (``enrollment.eligibility.evaluate``, as a preview without
  evidence) runs for persons already registered, whose records it can judge; its
  findings go to ``eligibility``, ``eligible`` (any route holds) and
  ``eligibility_checked_on``. A new person has only what the sheet said, so the engine
  judges them when the application is submitted (``application_submit`` runs it again
  for everyone, with the evidence).

Rows are written with ``bulk_create`` in chunks, never one ``save()`` a row; the roster's
own checks stand in for ``full_clean``. One audit event records the import (counts and
the file's SHA-256), not one per row.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.catalog.eligibility import Route
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition
from skillcert.enrollment.choices import ApplicationStatus, StudentState
from skillcert.enrollment.eligibility import RouteResult, evaluate, holds_any
from skillcert.enrollment.models import Application, Person, StudentStatus
from skillcert.enrollment.roster.validate import CHUNK, RosterCheck, RosterRow

IMPORTED_STATUS = ApplicationStatus.DRAFT
AUDIT_ACTION = "roster.import"

Progress = Callable[[int], None]


@dataclass(frozen=True)
class RosterCounts:
    rows: int
    persons_created: int
    persons_existing: int
    student_statuses: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def roster_commit(
    *,
    actor: Actor,
    batch: Batch,
    check: RosterCheck,
    file_name: str,
    sha256: str,
    progress: Progress | None = None,
    today: datetime.date | None = None,
) -> RosterCounts:
    """Write a checked, clean roster in one transaction with one audit event."""
    if not check.is_clean:
        raise DomainError(_("名册有错误，不能导入。"))
    try:
        with transaction.atomic():
            locked = Batch.objects.select_for_update().get(pk=batch.pk)
            if locked.status != BatchStatus.ENROLLING:
                raise InvalidTransition(_("只有“报名中”的批次可以导入名册。"))
            counts = _write(locked, check, progress, today or timezone.localdate())
            audit_record(
                actor=actor,
                action=AUDIT_ACTION,
                obj=locked,
                organisation=locked.institution.organisation,
                changes={**counts.as_dict(), "file_name": file_name, "sha256": sha256},
            )
    except IntegrityError as exc:
        # Someone registered or enrolled one of these candidates after the check.
        raise DomainError(
            _("校验之后，名册中有考生被其他操作登记或报名，未写入任何数据。请重新导入。")
        ) from exc
    return counts


def _write(
    batch: Batch, check: RosterCheck, progress: Progress | None, today: datetime.date
) -> RosterCounts:
    routes: list[Route] = list(batch.standard_level.eligibility_routes or [])
    persons = dict(check.known)
    created = statuses = 0
    for start in range(0, len(check.rows), CHUNK):
        chunk = check.rows[start : start + CHUNK]
        created += _create_persons([r for r in chunk if r.id_index not in persons], persons)
        statuses += _create_student_statuses(chunk, persons, check.known)
        known = [r for r in chunk if r.id_index in check.known]
        findings = _eligibility(batch, known, persons, today)
        Application.objects.bulk_create(
            [_application(batch, r, persons, routes, findings, today) for r in chunk],
            batch_size=CHUNK,
        )
        if progress is not None:
            progress(start + len(chunk))
    return RosterCounts(
        rows=len(check.rows),
        persons_created=created,
        persons_existing=len(check.rows) - created,
        student_statuses=statuses,
    )


def _create_persons(rows: Sequence[RosterRow], persons: dict[str, int]) -> int:
    if not rows:
        return 0
    made = Person.objects.bulk_create(
        [
            Person(
                full_name=r.full_name,
                id_type=r.id_type,
                id_number=r.id_number,
                id_number_index=r.id_index,
                gender=r.gender,
                birth_date=r.birth_date,
                phone=r.phone,
                phone_index=r.phone_index,
                education_level=r.education_level,
            )
            for r in rows
        ],
        batch_size=CHUNK,
    )
    if all(p.pk for p in made):
        persons.update((p.id_number_index, p.pk) for p in made)
    else:  # a backend that cannot return keys from a bulk insert
        persons.update(
            Person.objects.filter(id_number_index__in=[r.id_index for r in rows]).values_list(
                "id_number_index", "pk"
            )
        )
    return len(made)


def _create_student_statuses(
    rows: Sequence[RosterRow], persons: dict[str, int], known: dict[str, int]
) -> int:
    with_school = [r for r in rows if r.school and r.graduation_year and r.enrollment_year]
    held = set(
        StudentStatus.objects.filter(
            person_id__in=[known[r.id_index] for r in with_school if r.id_index in known]
        ).values_list("person_id", "school", "major", "graduation_year")
    )
    fresh: list[StudentStatus] = []
    for r in with_school:
        person_id = persons[r.id_index]
        if r.enrollment_year is None or r.graduation_year is None:
            continue  # filtered above; spelled out for the type checker
        if (person_id, r.school, r.major, r.graduation_year) in held:
            continue
        fresh.append(
            StudentStatus(
                person_id=person_id,
                school=r.school,
                major=r.major,
                enrollment_year=r.enrollment_year,
                graduation_year=r.graduation_year,
                student_number=r.student_number,
                related_major=r.major_related is True,
                state=StudentState.ENROLLED if r.is_student else StudentState.GRADUATED,
            )
        )
    StudentStatus.objects.bulk_create(fresh, batch_size=CHUNK)
    return len(fresh)


def _application(
    batch: Batch,
    r: RosterRow,
    persons: dict[str, int],
    routes: list[Route],
    findings: dict[str, list[dict[str, Any]]],
    today: datetime.date,
) -> Application:
    route = routes[r.route - 1]
    school_route = bool(route.get("school_types") or route.get("education_min"))
    found = findings.get(r.id_index)
    return Application(
        person_id=persons[r.id_index],
        batch=batch,
        status=IMPORTED_STATUS,
        employer=r.employer,
        work_years=r.work_years,
        declared_route=r.route - 1,
        eligibility=found or [],
        eligible=found is not None and holds_any(RouteResult.from_json(f) for f in found),
        eligibility_checked_on=today if found is not None else None,
        diploma_pending=r.is_student and school_route,
    )


def _eligibility(
    batch: Batch, rows: Iterable[RosterRow], persons: dict[str, int], today: datetime.date
) -> dict[str, list[dict[str, Any]]]:
    """The engine's findings for persons already registered (a preview: no evidence yet)."""
    wanted = {persons[r.id_index]: r.id_index for r in rows}
    if not wanted:
        return {}
    findings: dict[str, list[dict[str, Any]]] = {}
    people = Person.objects.filter(pk__in=wanted).prefetch_related(
        "education", "student_statuses", "work_history", "certificates_held"
    )
    for person in people:
        results = evaluate(person, batch.standard_level, on_date=today, occupation=batch.occupation)
        findings[wanted[person.pk]] = [r.as_json() for r in results]
    return findings
