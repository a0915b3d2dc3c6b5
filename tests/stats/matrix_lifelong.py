"""Access-matrix entries for the skill record and training pages (read by
tests/core/test_access_matrix.py).

The world, built once per cast: tests/stats/builders_lifelong.py — the cast candidate holds
institution A's certificate and has courses at A and B; ``other`` (a second candidate of
the batch) has a course at A only, so institution B and city B cannot reach them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import CAST_ROLES, Cast
from tests.stats.builders_lifelong import build_lifelong

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]


def _world(c: Cast) -> dict[str, int]:
    cached: dict[str, int] | None = getattr(c, "_stats_lifelong", None)
    if cached is None:
        lw = build_lifelong(c)
        cached = {"other": lw.other.pk, "other_training": lw.other_training.pk}
        c._stats_lifelong = cached  # type: ignore[attr-defined]
    return cached


def _none(c: Cast) -> dict[str, Any]:
    _world(c)
    return {}


def _key(name: str) -> Callable[[Cast], dict[str, Any]]:
    return lambda c: {"pk": _world(c)[name]}


NOBODY = {**dict.fromkeys(CAST_ROLES, 403), "anonymous": 302}
POST_ONLY = {**dict.fromkeys(CAST_ROLES, 405), "anonymous": 302}
# 我的技能档案: whoever acts for themselves (a candidate, an examiner); organisations' roles
# act for their organisation and are sent to their own identity.
SELF = {**NOBODY, "candidate": 200, "examiner": 200}
# 技能档案查询 and 培训记录: HR officials and institution staff, each within their scope.
READERS = {**NOBODY, "province": 200, "city_a": 200, "city_b": 200}
READERS.update(institution_a=200, institution_b=200)
# A person with records at institution A only: outside city B and institution B (404).
PERSON_IN_A = {**READERS, "city_b": 404, "institution_b": 404}
# Recording courses: institution staff.
RECORDERS = {**NOBODY, "institution_a": 200, "institution_b": 200}
# A course of institution A: its staff; institution B cannot see it; others are refused.
COURSE_IN_A = {**NOBODY, "institution_a": 200, "institution_b": 404}


def stats_lifelong_matrix() -> dict[str, Entry]:
    return {
        "stats-my-record": (_none, SELF),
        "stats-my-record-bundle": (_none, POST_ONLY),
        "stats-record-lookup": (_none, READERS),
        "stats-person-record": (_key("other"), PERSON_IN_A),
        "stats-training": (_none, READERS),
        "stats-training-new": (_none, RECORDERS),
        "stats-training-import": (_none, RECORDERS),
        "stats-training-template": (_none, RECORDERS),
        "stats-training-outcome": (_key("other_training"), COURSE_IN_A),
    }
