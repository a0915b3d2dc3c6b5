"""Statistics kept incrementally (DESIGN.md step 10): a batch's counts per month.

Dashboards read :class:`BatchStat` and :class:`StudentCoverage` only, never the
certificates or results themselves, so a page view stays cheap at a million
certificates. The services that change what a batch counts call :func:`mark_stale` in
their own transaction; the refresh task (:func:`refresh_stale`) rebuilds the marked
batches one by one, and :func:`rebuild_all` rebuilds a whole province set-based.

Counting rules (one place, the tests check the dashboard against them):

- **Results** count once the centre approved the batch's results (备案通过,
  沪人社职〔2022〕102号): they belong to the month of that approval
  (``BatchResults.decided_at`` in local time). ``results`` is every decided outcome
  (passed, failed, absent, void); ``failed`` includes the absent; ``void`` is 成绩无效.
  The pass rate is ``passed / results``.
- **Certificates** belong to the month of their issue date; ``certificates_valid`` and
  ``certificates_revoked`` are their status now.
- **Student certificates** (云人社通〔2023〕23号): the holder was a student of the
  graduating year when issued: a registry record (education department, matched by
  the ID number's blind index) or a declared 学籍, either with graduation year equal to
  the issue year and state 在读 or 已毕业.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, DateField, Exists, OuterRef, Q
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils import timezone

from skillcert.batches.models import Batch
from skillcert.certificates.choices import CertificateStatus
from skillcert.certificates.models import Certificate
from skillcert.enrollment.choices import StudentState
from skillcert.enrollment.models import StudentRegistryRecord, StudentStatus
from skillcert.results.choices import Outcome, ResultsStatus
from skillcert.results.models import Result
from skillcert.stats.models import BatchStat, StaleBatch, StudentCoverage

# Students of the graduating year: still enrolled, or graduated (云人社通〔2023〕23号).
GRADUATING_STATES = (StudentState.ENROLLED, StudentState.GRADUATED)
REFRESH_QUEUED_KEY = "stats:refresh-queued"
COALESCE_SECONDS = 5
BULK_SIZE = 2000


@dataclass
class _Counts:
    results: int = 0
    passed: int = 0
    failed: int = 0
    void: int = 0
    certificates: int = 0
    certificates_valid: int = 0
    certificates_revoked: int = 0
    student_certificates: int = 0


COUNT_FIELDS = tuple(f.name for f in fields(_Counts))


# ---------------------------------------------------------------- marking


def mark_stale(batch_id: int) -> None:
    """The batch's counts changed: insert (or touch) its queue row in the caller's
    transaction, and enqueue the refresh once that transaction commits."""
    StaleBatch.objects.bulk_create(
        [StaleBatch(batch_id=batch_id)],
        update_conflicts=True,
        unique_fields=["batch"],
        update_fields=["marked_at"],
    )
    request_refresh()


def registry_imported(import_id: int) -> int:
    """An education registry import can make certificates already counted into students'
    ones: mark the batches holding certificates of the imported students stale (their
    ``student_certificates``), and coverage is rebuilt by the same refresh. Returns how
    many batches were marked."""
    students = StudentRegistryRecord.objects.filter(source_id=import_id).values("id_number_index")
    batch_ids = list(
        Certificate.objects.filter(id_number_index__in=students)
        .values_list("batch_id", flat=True)
        .distinct()
    )
    StaleBatch.objects.bulk_create(
        [StaleBatch(batch_id=pk) for pk in batch_ids],
        update_conflicts=True,
        unique_fields=["batch"],
        update_fields=["marked_at"],
        batch_size=1000,
    )
    request_refresh()
    return len(batch_ids)


def request_refresh() -> None:
    """Enqueue the refresh task after the current transaction commits (coalesced)."""
    transaction.on_commit(_enqueue_refresh)


def _enqueue_refresh() -> None:
    """One deferred run per window: the first commit enqueues a run due when the window
    closes; later commits inside the window are committed before it and drained by
    that run. Backends that cannot defer (the immediate one) run at every commit."""
    from skillcert.stats.tasks import refresh_stats_task

    task = refresh_stats_task
    if task.get_backend().supports_defer:
        if not cache.add(REFRESH_QUEUED_KEY, True, timeout=COALESCE_SECONDS):
            return
        task = task.using(run_after=timezone.now() + timedelta(seconds=COALESCE_SECONDS))
    task.enqueue()


# ---------------------------------------------------------------- computing


def _result_rows(condition: Q) -> Any:
    """Decided results of approved batches grouped by batch and approval month."""
    approval = "application__batch__results__decided_at"
    return (
        Result.objects.filter(condition)
        .filter(
            application__batch__results__status=ResultsStatus.APPROVED,
            **{f"{approval}__isnull": False},
        )
        .exclude(outcome=Outcome.PENDING)
        .annotate(month=TruncMonth(approval, output_field=DateField()))
        .values("application__batch_id", "month")
        .annotate(
            results=Count("pk"),
            passed=Count("pk", filter=Q(outcome=Outcome.PASSED)),
            failed=Count("pk", filter=Q(outcome__in=[Outcome.FAILED, Outcome.ABSENT])),
            void=Count("pk", filter=Q(outcome=Outcome.VOID)),
        )
        .order_by()
    )


def student_certificate_q() -> Q:
    """A certificate whose holder was a graduating-year student when it was issued."""
    issue_year = ExtractYear(OuterRef("issue_date"))
    registry = StudentRegistryRecord.objects.filter(
        id_number_index=OuterRef("id_number_index"),
        graduation_year=issue_year,
        state__in=GRADUATING_STATES,
    )
    declared = StudentStatus.objects.filter(
        person_id=OuterRef("person_id"), graduation_year=issue_year, state__in=GRADUATING_STATES
    )
    return Q(Exists(registry)) | Q(Exists(declared))


def _certificate_rows(condition: Q) -> Any:
    return (
        Certificate.objects.filter(condition)
        .annotate(month=TruncMonth("issue_date", output_field=DateField()))
        .values("batch_id", "month")
        .annotate(
            certificates=Count("pk"),
            certificates_valid=Count("pk", filter=Q(status=CertificateStatus.VALID)),
            certificates_revoked=Count("pk", filter=Q(status=CertificateStatus.REVOKED)),
            student_certificates=Count("pk", filter=student_certificate_q()),
        )
        .order_by()
    )


def _month(value: date | datetime) -> date:
    # SQLite hands a truncated datetime back for some expressions; keep the first day.
    return date(value.year, value.month, 1)


def _collect(result_q: Q, certificate_q: Q) -> dict[tuple[int, date], _Counts]:
    counts: dict[tuple[int, date], _Counts] = defaultdict(_Counts)
    for row in _result_rows(result_q):
        c = counts[(row["application__batch_id"], _month(row["month"]))]
        c.results, c.passed, c.failed, c.void = (
            row["results"],
            row["passed"],
            row["failed"],
            row["void"],
        )
    for row in _certificate_rows(certificate_q):
        c = counts[(row["batch_id"], _month(row["month"]))]
        for name in COUNT_FIELDS[4:]:
            setattr(c, name, row[name])
    return counts


def _stat_rows(counts: dict[tuple[int, date], _Counts]) -> list[BatchStat]:
    """BatchStat rows with the batch's dimensions copied (one query for all batches)."""
    batch_ids = {batch_id for batch_id, _month in counts}
    dims = {
        row["pk"]: row
        for row in Batch.objects.filter(pk__in=batch_ids).values(
            "pk",
            "institution_id",
            "institution__type",
            "institution__organisation__province_id",
            "institution__organisation__city_id",
            "occupation__code",
            "level",
        )
    }
    now = timezone.now()
    rows = []
    for (batch_id, month), c in sorted(counts.items()):
        d = dims[batch_id]
        rows.append(
            BatchStat(
                batch_id=batch_id,
                month=month,
                province_code=d["institution__organisation__province_id"],
                city_code=d["institution__organisation__city_id"] or "",
                institution_id=d["institution_id"],
                institution_type=d["institution__type"],
                occupation_code=d["occupation__code"],
                level=d["level"],
                refreshed_at=now,
                **{name: getattr(c, name) for name in COUNT_FIELDS},
            )
        )
    return rows


# ---------------------------------------------------------------- refreshing


def refresh_batch(batch_id: int) -> int:
    """Recompute one batch's rows from its records (months no longer present go);
    returns how many month rows the batch has now."""
    with transaction.atomic():
        counts = _collect(Q(application__batch_id=batch_id), Q(batch_id=batch_id))
        BatchStat.objects.filter(batch_id=batch_id).delete()
        BatchStat.objects.bulk_create(_stat_rows(counts))
    return len(counts)


def _claim_next() -> StaleBatch | None:
    # skip_locked: two workers never refresh the same batch; a mark made meanwhile
    # waits for this row and inserts a new one after it is deleted (PostgreSQL).
    return (
        StaleBatch.objects.select_for_update(skip_locked=True).order_by("marked_at", "pk").first()
    )


def refresh_stale(limit: int | None = None) -> int:
    """Drain the queue (at most ``limit`` batches): each batch in a transaction of its
    own; then student coverage where it may have changed. Returns batches refreshed."""
    from skillcert.stats.coverage import coverage_refresh_needed

    done = 0
    provinces: set[str] = set()
    while limit is None or done < limit:
        with transaction.atomic():
            row = _claim_next()
            if row is None:
                break
            refresh_batch(row.batch_id)
            StaleBatch.objects.filter(pk=row.pk, marked_at=row.marked_at).delete()
            provinces.add(_province_of(row.batch_id))
        done += 1
    coverage_refresh_needed(provinces)
    return done


def _province_of(batch_id: int) -> str:
    code: str = (
        Batch.objects.filter(pk=batch_id)
        .values_list("institution__organisation__province_id", flat=True)
        .get()
    )
    return code


def rebuild_all(province_code: str | None = None) -> int:
    """Rebuild every batch's rows (of one province, or all) set-based: two GROUP BY
    queries over results and certificates, whatever their number; student coverage
    too. Returns how many BatchStat rows were written."""
    from skillcert.stats.coverage import coverage_rebuild

    started = timezone.now()
    result_q, certificate_q, stat_q = Q(), Q(), Q()
    if province_code:
        result_q = Q(application__batch__institution__organisation__province_id=province_code)
        certificate_q = Q(batch__institution__organisation__province_id=province_code)
        stat_q = Q(province_code=province_code)
    with transaction.atomic():
        rows = _stat_rows(_collect(result_q, certificate_q))
        BatchStat.objects.filter(stat_q).delete()
        BatchStat.objects.bulk_create(rows, batch_size=BULK_SIZE)
        stale = StaleBatch.objects.filter(marked_at__lte=started)
        if province_code:
            stale = stale.filter(batch__institution__organisation__province_id=province_code)
        stale.delete()
    coverage_rebuild(province_code)
    analyze_tables()
    return len(rows)


def analyze_tables() -> None:
    """After a set-based rebuild PostgreSQL's planner still sees the replaced tables'
    old statistics until autovacuum runs; analysing them at once halves the dashboard's
    two main queries right after a rebuild (bench/README.md, province-year)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (BatchStat, StudentCoverage):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
