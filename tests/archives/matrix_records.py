"""Access-matrix entries for the archive records pages (read by
tests/core/test_access_matrix.py).

The world, built once per cast: institution A's batch with issued certificates, archived
on 1 March 2020 (tests/archives/builders_records.py), a legal hold by city A on it, and a
disposal list of its due records drawn up on 1 June 2024 and submitted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skillcert.archives import disposal, holds
from tests.archives.builders_records import archived
from tests.conftest import CAST_ROLES, Cast

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]


def _world(c: Cast) -> dict[str, int]:
    cached: dict[str, int] | None = getattr(c, "_archives_records", None)
    if cached is None:
        kit = archived(c)
        listed = disposal.disposal_submit(actor=kit.admin, disposal=kit.listed())
        hold = holds.hold_place(
            actor=kit.city, institution=kit.batch.institution, batch=kit.batch, reason="核查"
        )
        cached = {"batch": kit.batch.pk, "disposal": listed.pk, "hold": hold.pk}
        c._archives_records = cached  # type: ignore[attr-defined]
    return cached


def _none(c: Cast) -> dict[str, Any]:
    _world(c)
    return {}


def _batch(c: Cast) -> dict[str, Any]:
    return {"batch_pk": _world(c)["batch"]}


def _key(name: str) -> Callable[[Cast], dict[str, Any]]:
    return lambda c: {"pk": _world(c)[name]}


POST_ONLY = {**dict.fromkeys(CAST_ROLES, 405), "anonymous": 302}
NOBODY = {**dict.fromkeys(CAST_ROLES, 403), "anonymous": 302}
# HR officials and institution staff read archives, each within their scope; education
# officials, examiners and persons are refused.
READERS = {**NOBODY, "province": 200, "city_a": 200, "city_b": 200}
READERS.update(institution_a=200, institution_b=200)
# Institution A's objects: the other city and the other institution see nothing.
A_READERS = {**READERS, "city_b": 404, "institution_b": 404}
OFFICIALS = {**NOBODY, "province": 200, "city_a": 200, "city_b": 200}
INSTITUTION_ADMINS = {**NOBODY, "institution_a": 200, "institution_b": 200}


def archives_records_matrix() -> dict[str, Entry]:
    return {
        "archives-records": (_none, READERS),
        "archives-batch-records": (_batch, A_READERS),
        "archives-batch-archive": (_batch, POST_ONLY),
        "archives-batch-video": (_batch, POST_ONLY),
        "archives-holds": (_none, OFFICIALS),
        "archives-hold-new": (_none, OFFICIALS),
        "archives-hold-release": (_key("hold"), POST_ONLY),
        "archives-disposals": (_none, READERS),
        "archives-disposal-new": (_none, INSTITUTION_ADMINS),
        "archives-disposal-detail": (_key("disposal"), A_READERS),
        "archives-disposal-submit": (_key("disposal"), POST_ONLY),
        "archives-disposal-withdraw": (_key("disposal"), POST_ONLY),
        "archives-disposal-decide": (_key("disposal"), POST_ONLY),
        "archives-disposal-execute": (_key("disposal"), POST_ONLY),
        "archives-disposal-export": (_key("disposal"), A_READERS),
    }
