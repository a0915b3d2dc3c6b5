"""Access-matrix entries for the violation-case pages (read by tests/core/test_access_matrix).

The world: institution A's approved results (tests/supervision/builders_cases.py) with a
SERIOUS case on the cast candidate, decided by city A and appealed by the candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skillcert.supervision import cases
from skillcert.supervision.choices import CaseGrade
from tests.conftest import CAST_ROLES, Cast
from tests.supervision.builders_cases import approved_results, candidate_case

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]


def case_world(c: Cast) -> dict[str, int]:
    """Built once per cast: the case, its appeal, the person and the institution."""
    cached: dict[str, int] | None = getattr(c, "_supervision_cases", None)
    if cached is None:
        ck = approved_results(c)
        official = c.actor("city_a")
        case = candidate_case(official, ck.passed[0], CaseGrade.SERIOUS)
        case = cases.case_decide(actor=official, case=case, decision="取消当次全部科目成绩")
        appeal = cases.appeal_file(actor=c.actor("candidate"), case=case, grounds="申请复核")
        cached = {
            "case": case.pk,
            "appeal": appeal.pk,
            "person": ck.passed[0].person_id,
            "institution": ck.batch.institution_id,
        }
        c._supervision_cases = cached  # type: ignore[attr-defined]
    return cached


def _key(key: str) -> Callable[[Cast], dict[str, Any]]:
    return lambda c: {"pk": case_world(c)[key]}


POST_ONLY = {**dict.fromkeys(CAST_ROLES, 405), "anonymous": 302}
SIGNED_IN = {**dict.fromkeys(CAST_ROLES, 200), "anonymous": 302}
# HR officials and institution staff, each within their scope.
CASE_READERS = {**dict.fromkeys(CAST_ROLES, 403), "anonymous": 302}
CASE_READERS.update(province=200, city_a=200, city_b=200, institution_a=200, institution_b=200)
# One case of institution A: its authorities and its staff.
CASE_A = {**CASE_READERS, "city_b": 404, "institution_b": 404}
# Integrity records: HR officials over institution A only.
INTEGRITY_A = {**dict.fromkeys(CAST_ROLES, 403), "anonymous": 302}
INTEGRITY_A.update(province=200, city_a=200, city_b=404)


def supervision_cases_matrix() -> dict[str, Entry]:
    return {
        "supervision-case-list": (lambda c: (case_world(c), {})[1], CASE_READERS),
        "supervision-case-open": (lambda c: {}, CASE_READERS),
        "supervision-case-detail": (_key("case"), CASE_A),
        "supervision-case-decide": (_key("case"), POST_ONLY),
        "supervision-case-close": (_key("case"), POST_ONLY),
        "supervision-case-rectified": (_key("case"), POST_ONLY),
        "supervision-case-appeal": (_key("case"), POST_ONLY),
        "supervision-case-appeal-decide": (_key("appeal"), POST_ONLY),
        "supervision-integrity-institution": (_key("institution"), INTEGRITY_A),
        "supervision-integrity-person": (_key("person"), INTEGRITY_A),
        "supervision-my-cases": (lambda c: (case_world(c), {})[1], SIGNED_IN),
    }
