"""Incremental aggregates: refresh_batch, mark_stale, refresh_stale, rebuild_all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from skillcert.batches.models import Batch
from skillcert.certificates import issuance, revocation
from skillcert.certificates.models import Certificate
from skillcert.core.models import Organisation
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application
from skillcert.results import invalidation
from skillcert.results.choices import Outcome, ResultsStatus, ViolationGrade
from skillcert.results.models import BatchResults
from skillcert.stats.aggregates import (
    COALESCE_SECONDS,
    mark_stale,
    rebuild_all,
    refresh_batch,
    refresh_stale,
    registry_imported,
)
from skillcert.stats.models import BatchStat, StaleBatch, StudentCoverage
from skillcert.stats.tasks import refresh_stats_task
from tests.certificates.conftest import build_issuable
from tests.conftest import Cast
from tests.enrollment.conftest import make_batch
from tests.stats.builders_stats import (
    StatsWorld,
    at,
    build_stats,
    certificate_for,
    expected,
    holder_index,
    result_for,
)

FIELDS = (
    "month",
    "province_code",
    "city_code",
    "institution_id",
    "institution_type",
    "occupation_code",
    "level",
    "results",
    "passed",
    "failed",
    "void",
    "certificates",
    "certificates_valid",
    "certificates_revoked",
    "student_certificates",
)


@pytest.fixture
def sw(cast: Cast) -> StatsWorld:
    return build_stats(cast)


def snapshot(**filters: Any) -> list[tuple[Any, ...]]:
    return sorted(BatchStat.objects.filter(**filters).values_list("batch_id", *FIELDS).order_by())


def test_a_batch_is_counted_by_month_with_its_dimensions(sw: StatsWorld) -> None:
    batch = sw.batches["a_elec4"]
    assert refresh_batch(batch.pk) == 2
    rows = {r.month: r for r in BatchStat.objects.filter(batch=batch)}
    assert sorted(rows) == [date(2024, 7, 1), date(2024, 8, 1)]
    july, august = rows[date(2024, 7, 1)], rows[date(2024, 8, 1)]
    assert (july.results, july.passed, july.failed, july.void) == (4, 2, 1, 1)
    assert (july.certificates, august.certificates, august.results) == (1, 1, 0)
    assert (july.province_code, july.city_code) == ("530000", "530100")
    assert (july.institution_id, july.institution_type) == (sw.inst_a.pk, "technical_school")
    assert (july.occupation_code, july.level) == ("6-31-01-03", 4)


def test_results_count_in_the_local_month_of_approval(sw: StatsWorld) -> None:
    # Approved at 00:30 on 1 December in Asia/Shanghai (16:30 on 30 November in UTC).
    refresh_batch(sw.batches["b_lathe4"].pk)
    months = dict(
        BatchStat.objects.filter(batch=sw.batches["b_lathe4"]).values_list("month", "results")
    )
    assert months == {date(2024, 12, 1): 5, date(2025, 1, 1): 0}


def test_absent_counts_as_failed_and_pending_or_unapproved_not_at_all(sw: StatsWorld) -> None:
    refresh_batch(sw.batches["a_lathe5"].pk)
    row = BatchStat.objects.get(batch=sw.batches["a_lathe5"])
    assert (row.results, row.passed, row.failed) == (5, 3, 2)
    refresh_batch(sw.batches["c_elec5"].pk)  # one result still pending
    assert BatchStat.objects.get(batch=sw.batches["c_elec5"]).results == 2
    assert refresh_batch(sw.batches["b_elec5_filed"].pk) == 0
    assert not BatchStat.objects.filter(batch=sw.batches["b_elec5_filed"]).exists()


def test_student_certificates_follow_the_graduation_year_rule(sw: StatsWorld) -> None:
    for batch in sw.batches.values():
        refresh_batch(batch.pk)
    counted = dict(
        BatchStat.objects.filter(student_certificates__gt=0)
        .values_list("batch_id", "student_certificates")
        .order_by()
    )
    province = sw.cast.actor("province")
    direct = expected(province, key=lambda f: f["batch"].pk)
    assert counted == {k: v.students for k, v in direct.items() if v.students}
    # Registry 2024 ×2 (a withdrawn one and a 2025 one do not count); Qujing's import;
    # one declared 学籍.
    assert counted == {
        sw.batches["a_lathe5"].pk: 2,
        sw.batches["b_lathe4"].pk: 2,
        sw.batches["c_lathe3"].pk: 1,
        sw.batches["b_lathe5"].pk: 1,
    }


def test_a_registry_import_marks_the_batches_of_its_students(sw: StatsWorld) -> None:
    refresh_stale()
    for batch in sw.batches.values():
        refresh_batch(batch.pk)
    batch = sw.batches["a_elec4"]
    holder = holder_index(batch, 1)
    issued = Certificate.objects.get(id_number_index=holder, batch=batch).issue_date
    before = sum(
        BatchStat.objects.filter(batch=batch).values_list("student_certificates", flat=True)
    )
    source = sw.registry(
        Organisation.objects.get(name="云南省教育厅"),
        [{"index": holder, "school": "昆明技师学院", "major": "电气自动化", "year": issued.year}],
    )

    assert registry_imported(source.pk) == 1
    assert list(StaleBatch.objects.values_list("batch_id", flat=True)) == [batch.pk]
    refresh_stale()
    after = sum(
        BatchStat.objects.filter(batch=batch).values_list("student_certificates", flat=True)
    )
    assert after == before + 1


def test_months_no_longer_present_are_removed(sw: StatsWorld) -> None:
    batch = sw.batches["a_elec4"]
    refresh_batch(batch.pk)
    Certificate.objects.filter(batch=batch, issue_date=date(2024, 8, 1)).update(
        issue_date=date(2024, 7, 20)
    )
    assert refresh_batch(batch.pk) == 1
    assert list(BatchStat.objects.filter(batch=batch).values_list("month", "certificates")) == [
        (date(2024, 7, 1), 2)
    ]


def test_rebuild_all_equals_the_refresh_of_every_batch(sw: StatsWorld) -> None:
    for batch in sw.batches.values():
        refresh_batch(batch.pk)
    one_by_one = snapshot()
    assert rebuild_all() == len(one_by_one)
    assert snapshot() == one_by_one
    assert rebuild_all("530000") == len(one_by_one)
    assert snapshot() == one_by_one
    assert rebuild_all("510000") == 0  # another province: Yunnan's rows stay
    assert snapshot() == one_by_one


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE is PostgreSQL's")
def test_rebuild_all_leaves_the_planner_fresh_statistics(sw: StatsWorld) -> None:
    """The planner's row estimate of the rebuilt tables is their real size at once."""
    written = rebuild_all("530000")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN (%s, %s)",
            [BatchStat._meta.db_table, StudentCoverage._meta.db_table],
        )
        estimates = dict(cursor.fetchall())
    assert written > 0
    assert estimates[BatchStat._meta.db_table] == written
    assert estimates[StudentCoverage._meta.db_table] == StudentCoverage.objects.count() > 0


def test_rebuild_all_empties_the_queue(sw: StatsWorld) -> None:
    mark_stale(sw.batches["a_lathe5"].pk)
    rebuild_all("530000")
    assert not StaleBatch.objects.exists()


def test_marking_twice_keeps_one_row_and_touches_it(sw: StatsWorld) -> None:
    batch = sw.batches["a_lathe5"]
    mark_stale(batch.pk)
    first = StaleBatch.objects.get(batch=batch).marked_at
    mark_stale(batch.pk)
    assert StaleBatch.objects.filter(batch=batch).count() == 1
    assert StaleBatch.objects.get(batch=batch).marked_at >= first


def test_refresh_stale_drains_the_queue_and_respects_the_limit(sw: StatsWorld) -> None:
    for key in ("a_lathe5", "b_lathe4", "c_lathe3"):
        mark_stale(sw.batches[key].pk)
    assert refresh_stale(limit=2) == 2
    assert StaleBatch.objects.count() == 1
    assert refresh_stale() == 1
    assert refresh_stale() == 0
    assert set(BatchStat.objects.values_list("batch_id", flat=True)) == {
        sw.batches[k].pk for k in ("a_lathe5", "b_lathe4", "c_lathe3")
    }


def test_the_task_runs_once_the_marking_transaction_commits(
    sw: StatsWorld, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        mark_stale(sw.batches["a_lathe5"].pk)
        mark_stale(sw.batches["c_lathe3"].pk)
    assert callbacks, "the refresh is enqueued on commit"
    assert not StaleBatch.objects.exists()
    assert BatchStat.objects.filter(batch=sw.batches["c_lathe3"]).exists()
    assert refresh_stats_task.call() == 0  # running it again is harmless


def test_the_command_rebuilds(sw: StatsWorld) -> None:
    out = StringIO()
    call_command("rebuild_stats", "--province", "530000", stdout=out)
    assert "row(s) rebuilt" in out.getvalue()
    assert BatchStat.objects.count() == 8
    mark_stale(sw.batches["a_lathe5"].pk)
    call_command("rebuild_stats", "--stale", stdout=out)
    assert "1 stale batch(es) refreshed" in out.getvalue()


# ---------------------------------------------------------------- the hooks


@pytest.fixture
def issued(cast: Cast) -> Any:
    """A batch through the real workflow (approved results, then certificates), its
    stats refreshed, and a second batch's stats to show only the marked one changes."""
    ck = build_issuable(cast, passed=3, failed=1)
    assert StaleBatch.objects.filter(batch=ck.batch).exists(), "approval marks the batch"
    refresh_stale()
    return ck


def test_approved_results_are_counted(issued: Any) -> None:
    row = BatchStat.objects.get(batch=issued.batch)
    assert (row.results, row.passed, row.failed, row.certificates) == (4, 3, 1, 0)
    assert row.month == timezone.localdate().replace(day=1)


def other_batch(ck: Any) -> Batch:
    """A second batch of the same institution with an approved result and a certificate."""
    other = make_batch(ck.batch.institution, ck.batch.standard_level.standard, 4)
    application = Application.objects.create(
        person=ck.failed[0].person, batch=other, status=ApplicationStatus.APPROVED
    )
    result_for(application, Outcome.PASSED)
    BatchResults.objects.create(
        batch=other, status=ResultsStatus.APPROVED, decided_at=at(date(2024, 9, 2))
    )
    certificate_for(application, date(2024, 9, 3))
    return other


def test_issuing_and_revoking_mark_only_that_batch(issued: Any) -> None:
    other = other_batch(issued)
    refresh_batch(other.pk)
    before_other = snapshot(batch=other)
    other_refreshed = BatchStat.objects.get(batch=other).refreshed_at
    day = date(2024, 10, 8)
    _outcome, certificate = issuance.issue_application(
        actor=issued.admin, application_id=issued.passed[0].pk, today=day
    )
    assert certificate is not None
    assert list(StaleBatch.objects.values_list("batch_id", flat=True)) == [issued.batch.pk]
    assert refresh_stale() == 1
    october = BatchStat.objects.get(batch=issued.batch, month=date(2024, 10, 1))
    assert (october.certificates, october.certificates_valid) == (1, 1)
    revocation.certificate_revoke(actor=issued.admin, certificate=certificate, reason="违规取证")
    assert list(StaleBatch.objects.values_list("batch_id", flat=True)) == [issued.batch.pk]
    refresh_stale()
    october = BatchStat.objects.get(batch=issued.batch, month=date(2024, 10, 1))
    assert (october.certificates_valid, october.certificates_revoked) == (0, 1)
    assert snapshot(batch=other) == before_other
    assert BatchStat.objects.get(batch=other).refreshed_at == other_refreshed


def test_voiding_a_result_marks_the_batch(issued: Any) -> None:
    invalidation.result_void(
        actor=issued.admin,
        application=issued.failed[0],
        grade=ViolationGrade.SERIOUS,
        reason="替考",
    )
    assert StaleBatch.objects.filter(batch=issued.batch).exists()
    refresh_stale()
    row = BatchStat.objects.get(batch=issued.batch)
    assert (row.results, row.passed, row.failed, row.void) == (4, 3, 0, 1)


def test_commits_within_the_window_share_one_deferred_run(
    sw: StatsWorld,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = refresh_stats_task.get_backend()
    assert backend.supports_defer
    before = timezone.now()
    for key in ("a_lathe5", "c_lathe3"):
        with django_capture_on_commit_callbacks(execute=True):
            mark_stale(sw.batches[key].pk)
    results = backend.results  # type: ignore[attr-defined]  # the dummy backend keeps them
    assert len(results) == 1
    run_after = results[0].task.run_after
    assert run_after is not None
    assert run_after >= before + timedelta(seconds=COALESCE_SECONDS)
    assert StaleBatch.objects.count() == 2  # nothing ran: the run drains both later
