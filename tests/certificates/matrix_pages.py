"""Access-matrix entries for these certificates URLs (read by tests/core/test_access_matrix)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import Cast

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]


def certificates_pages_matrix() -> dict[str, Entry]:
    return {}
