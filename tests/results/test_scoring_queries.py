"""The scoring lists cost a fixed number of queries, whatever the number of candidates."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from skillcert.enrollment.models import Application
from skillcert.results import panels, scoring
from skillcert.results.models import Panel
from tests.conftest import Cast
from tests.results.conftest import ResultsKit, build_results
from tests.results.scoring_support import ready_panel, ready_sheet, score


def _scored(rk: ResultsKit, panel: Panel, applications: list[Application]) -> None:
    for application in applications:
        for index, total in enumerate((80, 82, 60)):
            score(rk, index, panel, application, total)


def _counts(rk: ResultsKit, n: int) -> tuple[int, int, list[scoring.ProgressRow]]:
    with CaptureQueriesContext(connection) as staff:
        rows = scoring.progress(rk.batch)
    with CaptureQueriesContext(connection) as examiner:
        work = scoring.my_worklist(rk.examiner(0))
    assert len(rows) == len(work) == n
    assert all(row.confirmed == 1 and row.finished for row in work)
    return len(staff.captured_queries), len(examiner.captured_queries), rows


def test_progress_and_worklist_queries_do_not_grow_with_candidates(cast: Cast) -> None:
    rk = build_results(cast, 5)
    rk.assessed()
    ready_sheet(rk)
    first, rest = rk.candidates[:2], rk.candidates[2:]
    panel = ready_panel(rk, candidates=first)
    _scored(rk, panel, first)
    staff_2, examiner_2, rows = _counts(rk, 2)
    # The third examiner is 22 points off: every candidate is flagged, totals are shown.
    assert [row.flagged for row in rows] == [True, True]
    assert [total for _staff, _done, total in rows[0].members] == [80, 82, 60]
    panels.candidates_assign(actor=rk.admin, panel=panel, applications=rest)
    _scored(rk, panel, rest)
    assert _counts(rk, 5)[:2] == (staff_2, examiner_2)
