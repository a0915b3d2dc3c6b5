"""Access-matrix entries for the pool, spot-check list, task and 考场记录表 pages (read by
tests/core/test_access_matrix.py).

The world, built once per cast: the default list of Yunnan, an inspector affiliated with
Kunming, and institution A's batch with an external supervision of its theory session
whose drawn supervisor is the cast's province official (so that one cast role has a task).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skillcert.supervision import pool
from skillcert.supervision.choices import PoolKind
from tests.conftest import CAST_ROLES, Cast
from tests.supervision.builders_pool import assign, external_world, member, yunnan

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]


def _world(c: Cast) -> dict[str, int]:
    cached: dict[str, int] | None = getattr(c, "_supervision_external", None)
    if cached is None:
        items = pool.checklist_ensure(province=yunnan())
        inspector = member(PoolKind.INSPECTOR, name="检查员甲", affiliation=c.orgs["city_a"])
        ew = external_world(c)
        official = member(actor=c.actor("province"), name="督导员（省厅）")
        assign(ew.inspection, official, lead=False)
        cached = {
            "item": items[0].pk,
            "member": inspector.pk,
            "task": ew.inspection.pk,
            "session": ew.session.pk,
        }
        c._supervision_external = cached  # type: ignore[attr-defined]
    return cached


def _none(c: Cast) -> dict[str, Any]:
    _world(c)
    return {}


def _key(name: str) -> Callable[[Cast], dict[str, Any]]:
    return lambda c: {"pk": _world(c)[name]}


ALL_OK = dict.fromkeys(CAST_ROLES, 200)
SIGNED_IN = {**dict.fromkeys(CAST_ROLES, 200), "anonymous": 302}
POST_ONLY = {**dict.fromkeys(CAST_ROLES, 405), "anonymous": 302}
NOBODY = {**dict.fromkeys(CAST_ROLES, 403), "anonymous": 302}
# HR officials read the pools (a city's officials their city's members).
POOL_READERS = {**NOBODY, "province": 200, "city_a": 200, "city_b": 200}
POOL_KEEPERS = {**NOBODY, "province": 200}
# Every official, education included, reads the list (it is public anyway).
LIST_READERS = {**POOL_READERS, "education": 200}
# Only the drawn people open a task; to everyone else it does not exist.
TASK_HOLDER = {**dict.fromkeys(CAST_ROLES, 404), "anonymous": 302, "province": 200}
# A session's record: the HR officials over institution A and its staff; the education
# official is in scope but refused; persons and the other city see nothing.
SESSION_READERS = {
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


def supervision_external_matrix() -> dict[str, Entry]:
    return {
        "supervision-pool": (_none, POOL_READERS),
        "supervision-pool-add": (_none, POOL_KEEPERS),
        "supervision-pool-deactivate": (_key("member"), POST_ONLY),
        "supervision-pool-link": (_key("member"), POST_ONLY),
        "supervision-checklist": (_none, LIST_READERS),
        "supervision-checklist-add": (_none, POST_ONLY),
        "supervision-checklist-toggle": (_key("item"), POST_ONLY),
        "public-inspection-items": (_none, ALL_OK),
        "supervision-tasks": (_none, SIGNED_IN),
        "supervision-task-detail": (_key("task"), TASK_HOLDER),
        "supervision-task-note-add": (_key("task"), POST_ONLY),
        "supervision-task-mode": (_key("task"), POST_ONLY),
        "supervision-task-finish": (_key("task"), POST_ONLY),
        "supervision-session-notes": (_key("session"), SESSION_READERS),
        "supervision-session-notes-pdf": (_key("session"), SESSION_READERS),
    }
