"""Access-matrix entries for the complaint pages (read by tests/core/test_access_matrix).

The form and the status page are public, the same for everybody. The officials' pages
are the HR officials': city B does not see a complaint about institution A (404);
education officials, institutions, examiners and candidates are refused (403).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import CAST_ROLES, Cast

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]

PUBLIC = dict.fromkeys(CAST_ROLES, 200)
HR_OFFICIALS = {
    **dict.fromkeys(CAST_ROLES, 403),
    "anonymous": 302,
    "province": 200,
    "city_a": 200,
    "city_b": 200,
}
# A complaint about institution A, handled by city A.
HANDLERS_A = {**HR_OFFICIALS, "city_b": 404}


def _complaint(c: Cast) -> dict[str, int]:
    """A complaint about institution A with one evidence file (built once per cast)."""
    cached: dict[str, int] | None = getattr(c, "_complaint", None)
    if cached is None:
        from tests.supervision.builders_complaints import complaint_world, pdf_upload

        complaint = complaint_world(c).submit(files=[pdf_upload()])
        cached = {"pk": complaint.pk, "file_pk": complaint.files.get().pk}
        c._complaint = cached  # type: ignore[attr-defined]
    return cached


def supervision_complaints_matrix() -> dict[str, Entry]:
    return {
        "public-complaint-new": (lambda c: {}, PUBLIC),
        "public-complaint-status": (lambda c: {}, PUBLIC),
        "supervision-complaints": (lambda c: (_complaint(c), {})[1], HR_OFFICIALS),
        "supervision-complaints-export": (lambda c: (_complaint(c), {})[1], HR_OFFICIALS),
        "supervision-complaint-detail": (lambda c: {"pk": _complaint(c)["pk"]}, HANDLERS_A),
        "supervision-complaint-file": (lambda c: dict(_complaint(c)), HANDLERS_A),
    }
