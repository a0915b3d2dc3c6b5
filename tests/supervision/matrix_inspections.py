"""Access-matrix entries for the random-inspection pages (read by tests/core/
test_access_matrix).

The world, built once per cast: a provincial plan over Qujing's institutions (the cast's
institution B) whose only inspector is the cast's examiner; the examiner records every
item with an evidence file and concludes 限期整改; the province publishes the results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skillcert.supervision import inspections
from skillcert.supervision.choices import Compliance, Conclusion
from tests.conftest import CAST_ROLES, Cast
from tests.supervision.builders_inspections import (
    QUJING,
    inspection_world,
    pdf_upload,
    pool_member,
)

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]


def inspection_pages_world(c: Cast) -> dict[str, int]:
    cached: dict[str, int] | None = getattr(c, "_inspection_pages", None)
    if cached is None:
        iw = inspection_world(c, inspectors=0)
        pool_member(c.users["examiner"])
        examiner = c.actor("examiner")
        plan = iw.drawn(target_filters={"cities": [QUJING]}, target_count=1, members_per_target=1)
        inspection = plan.inspections.get()
        for item in plan.items.order_by("code"):
            inspections.finding_record(
                actor=examiner,
                inspection=inspection,
                item=item,
                outcome=Compliance.FAILS,
                note="公示材料不全",
            )
        evidence = inspections.evidence_upload(
            actor=examiner, inspection=inspection, uploaded_file=pdf_upload()
        )
        inspections.inspection_finish(
            actor=examiner,
            inspection=inspection,
            conclusion=Conclusion.RECTIFY,
            summary="责令限期整改。",
        )
        inspections.plan_publish(actor=iw.province, plan=plan)
        cached = {"plan": plan.pk, "inspection": inspection.pk, "evidence": evidence.pk}
        c._inspection_pages = cached  # type: ignore[attr-defined]
    return cached


def _plan(c: Cast) -> dict[str, Any]:
    return {"pk": inspection_pages_world(c)["plan"]}


def _inspection(c: Cast) -> dict[str, Any]:
    return {"pk": inspection_pages_world(c)["inspection"]}


def _evidence(c: Cast) -> dict[str, Any]:
    world = inspection_pages_world(c)
    return {"pk": world["inspection"], "evidence_pk": world["evidence"]}


ALL_OK = dict.fromkeys(CAST_ROLES, 200)
POST_ONLY = {**dict.fromkeys(CAST_ROLES, 405), "anonymous": 302}
# Plans are the HR officials' work: the others are refused outright.
PLANNERS = {**dict.fromkeys(CAST_ROLES, 403), "anonymous": 302}
PLANNERS.update(province=200, city_a=200, city_b=200)
# A provincial plan: the cities do not see it (a plan is scoped to its organisation).
PROVINCE_PLAN = {**PLANNERS, "city_a": 404, "city_b": 404}
# Inspection lists: officials, institution staff, and people in a pool.
READERS = {**PLANNERS, "institution_a": 200, "institution_b": 200, "examiner": 200}
# Institution B's inspection: its city, the province, its inspector, and (published) its
# own staff; city A and institution A are out of scope; education officials and persons
# outside the pools are refused.
INSPECTION_B = {**READERS, "city_a": 404, "institution_a": 404}
# Evidence files stay with the officials and the inspectors.
EVIDENCE_B = {**INSPECTION_B, "institution_b": 403}


def supervision_inspections_matrix() -> dict[str, Entry]:
    return {
        "supervision-plan-list": (lambda c: (inspection_pages_world(c), {})[1], PLANNERS),
        "supervision-plan-create": (lambda c: {}, PLANNERS),
        "supervision-plan-detail": (_plan, PROVINCE_PLAN),
        # Published: the editor sends its managers back to the plan.
        "supervision-plan-edit": (_plan, {**PROVINCE_PLAN, "province": 302}),
        "supervision-plan-draw": (_plan, POST_ONLY),
        "supervision-plan-publish": (_plan, POST_ONLY),
        "supervision-inspection-list": (lambda c: (inspection_pages_world(c), {})[1], READERS),
        "supervision-inspection-detail": (_inspection, INSPECTION_B),
        "supervision-inspection-finding": (_inspection, POST_ONLY),
        "supervision-inspection-evidence-upload": (_inspection, POST_ONLY),
        "supervision-inspection-evidence": (_evidence, EVIDENCE_B),
        "supervision-inspection-finish": (_inspection, POST_ONLY),
        "supervision-inspection-rectified": (_inspection, POST_ONLY),
        "public-inspections": (lambda c: (inspection_pages_world(c), {})[1], ALL_OK),
        "public-inspection-detail": (_plan, ALL_OK),
    }
