"""Access-matrix entries for these certificates URLs (read by tests/core/test_access_matrix)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skillcert.certificates.models import StatusListPublication
from tests.conftest import CAST_ROLES, Cast

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]


def _published(c: Cast) -> dict[str, Any]:
    """An institution with a published status list (stored as-is; the view serves the
    stored credential, so no signing keys are needed here)."""
    from tests.institutions.conftest import another_institution

    publication = StatusListPublication.objects.first()
    if publication is None:
        publication = StatusListPublication.objects.create(
            institution=another_institution(), credential={"type": ["VerifiableCredential"]}
        )
    return {"institution_pk": publication.institution_id}


def certificates_credentials_matrix() -> dict[str, Entry]:
    # Public: a verifier fetches the list without signing in.
    return {"certificates-status-list": (_published, dict.fromkeys(CAST_ROLES, 200))}
