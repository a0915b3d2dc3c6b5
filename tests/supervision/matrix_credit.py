"""Access-matrix entries for the credit pages (read by tests/core/test_access_matrix)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skillcert.supervision import credit
from tests.conftest import CAST_ROLES, Cast
from tests.supervision.builders_credit import TODAY, credit_world

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]


def _scored(c: Cast) -> dict[str, Any]:
    """Institutions A and B listed and scored once (built once per cast)."""
    cached: int | None = getattr(c, "_credit", None)
    if cached is None:
        cw = credit_world(c)
        credit.credit_recompute(actor=cw.official, province=cw.province, today=TODAY)
        cached = cw.inst_a.pk
        c._credit = cached  # type: ignore[attr-defined]
    return {"pk": cached}


ALL_OK = dict.fromkeys(CAST_ROLES, 200)
POST_ONLY = {**dict.fromkeys(CAST_ROLES, 405), "anonymous": 302}
# HR officials only: education officials, institutions, examiners and candidates are refused.
OFFICIALS_ONLY = {**dict.fromkeys(CAST_ROLES, 403), "anonymous": 302}
OFFICIALS_ONLY.update(province=200, city_a=200, city_b=200)
# The ranking: officials; each institution's admin is taken to its own credit page.
RANKING = {**OFFICIALS_ONLY, "institution_a": 302, "institution_b": 302}
# Institution A's credit: the officials over it and its own admin; education officials
# are in scope but refused; the rest do not see the institution.
DETAIL = {
    "anonymous": 302,
    "province": 200,
    "city_a": 200,
    "city_b": 404,
    "education": 403,
    "institution_a": 200,
    "institution_b": 404,
    "examiner": 404,
    "candidate": 404,
}


def supervision_credit_matrix() -> dict[str, Entry]:
    return {
        "supervision-credit": (lambda c: (_scored(c), {})[1], RANKING),
        "supervision-credit-detail": (_scored, DETAIL),
        "supervision-credit-export": (lambda c: (_scored(c), {})[1], OFFICIALS_ONLY),
        "supervision-credit-recompute": (lambda c: {}, POST_ONLY),
        "supervision-policy": (lambda c: {}, OFFICIALS_ONLY),
        "public-credit": (lambda c: (_scored(c), {})[1], ALL_OK),
    }
