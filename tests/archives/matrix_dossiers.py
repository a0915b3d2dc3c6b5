"""Access-matrix entries for the batch dossier pages (read by tests/core/test_access_matrix.py).

The world, built once per cast: institution A's batch with approved results
(tests/archives/builders_dossiers.py), the cast candidate as its first candidate, and one
ready dossier built by the institution's admin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.archives.builders_dossiers import archivable, built, linked
from tests.conftest import CAST_ROLES, Cast

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]


def _world(c: Cast) -> dict[str, int]:
    cached: dict[str, int] | None = getattr(c, "_archives_dossiers", None)
    if cached is None:
        kit = linked(archivable(c, issued=False, passed=1, failed=0))
        dossier = built(kit.admin, kit.batch)
        cached = {"batch": kit.batch.pk, "dossier": dossier.pk}
        c._archives_dossiers = cached  # type: ignore[attr-defined]
    return cached


def _batch(c: Cast) -> dict[str, Any]:
    return {"batch_pk": _world(c)["batch"]}


def _dossier(c: Cast) -> dict[str, Any]:
    return {"pk": _world(c)["dossier"]}


POST_ONLY = {**dict.fromkeys(CAST_ROLES, 405), "anonymous": 302}
# A batch's dossiers: its institution's staff and the HR authorities over it. Education
# officials and the batch's own candidate are in scope but refused; examiners act for
# themselves (person scope), so the batch is not theirs to see.
BATCH_READERS = {
    "anonymous": 302,
    "province": 200,
    "city_a": 200,
    "city_b": 404,
    "education": 403,
    "institution_a": 200,
    "institution_b": 404,
    "examiner": 404,
    "candidate": 403,
}
# A dossier belongs to the institution: persons never have it in scope.
DOSSIER_READERS = {**BATCH_READERS, "candidate": 404}


def archives_dossiers_matrix() -> dict[str, Entry]:
    return {
        "archives-dossiers": (_batch, BATCH_READERS),
        "archives-dossier-build": (_batch, POST_ONLY),
        "archives-dossier": (_dossier, DOSSIER_READERS),
        "archives-dossier-download": (_dossier, DOSSIER_READERS),
    }
