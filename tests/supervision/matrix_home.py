"""Access-matrix entries for the supervision desk (read by tests/core/test_access_matrix)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import CAST_ROLES, Cast

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]

# HR officials only: education officials, institutions, examiners and candidates are refused.
OFFICIALS_ONLY = {
    **dict.fromkeys(CAST_ROLES, 403),
    "anonymous": 302,
    "province": 200,
    "city_a": 200,
    "city_b": 200,
}


def supervision_home_matrix() -> dict[str, Entry]:
    return {"supervision-desk": (lambda c: {}, OFFICIALS_ONLY)}
