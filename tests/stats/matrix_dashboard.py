"""Access-matrix entries for the statistics dashboard (read by tests/core/test_access_matrix)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import CAST_ROLES, Cast

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]

# Officials (HR and education) and institution staff read their own scope; examiners and
# candidates are refused; anonymous visitors go to the login page.
READERS = {**dict.fromkeys(CAST_ROLES, 200), "anonymous": 302, "examiner": 403, "candidate": 403}


def stats_dashboard_matrix() -> dict[str, Entry]:
    return {
        "stats-dashboard": (lambda c: {}, READERS),
        "stats-dashboard-export": (lambda c: {}, READERS),
    }
