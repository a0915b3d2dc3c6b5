"""Access-matrix entries for these certificates URLs (read by tests/core/test_access_matrix).

Public verification is the same for everybody, signed in or not: the form, a scanned QR
code, and the API (which answers 422 without its ``name`` query parameter, and 405 to a
GET of the lookup, which is a POST).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import CAST_ROLES, Cast

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]


def _certificate_number(c: Cast) -> str:
    """A certificate of institution A (built once)."""
    cached: str | None = getattr(c, "_public_certificate", None)
    if cached is None:
        from tests.certificates.conftest import build_issuable
        from tests.certificates.test_verification import certify

        cached = certify(build_issuable(c, passed=1, failed=0)).number
        c._public_certificate = cached  # type: ignore[attr-defined]
    return cached


def _qr(c: Cast) -> dict[str, Any]:
    from skillcert.certificates.tokens import verification_token

    number = _certificate_number(c)
    return {"number": number, "token": verification_token(number)}


def certificates_public_matrix() -> dict[str, Entry]:
    return {
        "certificates-verify": (lambda c: {}, dict.fromkeys(CAST_ROLES, 200)),
        "certificates-qr": (_qr, dict.fromkeys(CAST_ROLES, 200)),
        "api:public_certificate": (
            lambda c: {"number": _certificate_number(c)},
            dict.fromkeys(CAST_ROLES, 422),
        ),
        "api:public_certificate_lookup": (lambda c: {}, dict.fromkeys(CAST_ROLES, 405)),
    }
