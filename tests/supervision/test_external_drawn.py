"""External supervision end to end: a plan drawn at random sends a supervisor to a
session, who keeps the 考场记录表 there and finishes; the lines are the session's."""

from __future__ import annotations

from django.urls import reverse

from skillcert.core.errors import PermissionDenied
from skillcert.supervision import external, inspections
from skillcert.supervision.choices import (
    Conclusion,
    InspectionStatus,
    NoteKind,
    PlanKind,
    PlanStatus,
    PoolKind,
    SupervisionMode,
    TargetKind,
)
from skillcert.supervision.models import DrawRecord, SupervisionNote
from tests.conftest import Cast, Refused
from tests.supervision.builders_inspections import client_for, inspection_world, person, pool_member


def test_a_drawn_supervisor_keeps_the_sessions_record(cast: Cast, refused: Refused) -> None:
    from tests.batches.conftest import build_kit

    batch = build_kit(cast).approved()
    iw = inspection_world(cast, inspectors=0)
    supervisor = person(cast.orgs["province_hr"], name="外督甲")
    assert supervisor.user is not None
    pool_member(supervisor.user, pool=PoolKind.EXTERNAL_SUPERVISOR)
    plan = iw.drawn(
        kind=PlanKind.EXTERNAL_SUPERVISION,
        target_kind=TargetKind.SESSION,
        item_ids=[],
        target_count=1,
        members_per_target=1,
    )
    [inspection] = plan.inspections.all()
    assert inspection.session is not None
    assert inspection.batch_id == batch.pk
    assert inspections.draw_replay(DrawRecord.objects.get(plan=plan)).identical
    # Only the drawn supervisor writes the record.
    refused(
        PermissionDenied,
        lambda: external.note_add(
            actor=cast.actor("city_a"), inspection=inspection, kind=NoteKind.ARRIVAL, text="到场"
        ),
    )
    external.supervision_mode_set(
        actor=supervisor, inspection=inspection, mode=SupervisionMode.ONSITE
    )
    external.note_add(
        actor=supervisor, inspection=inspection, kind=NoteKind.ARRIVAL, text="8:10 到达考点"
    )
    external.note_add(
        actor=supervisor,
        inspection=inspection,
        kind=NoteKind.SUMMARY,
        text="考场秩序良好，未发现违纪违规行为。",
    )
    finished = external.supervision_finish(
        actor=supervisor,
        inspection=inspection,
        conclusion=Conclusion.PASSED,
        summary="督导正常。",
    )
    assert finished.status == InspectionStatus.FINISHED
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    lines = SupervisionNote.objects.filter(inspection=inspection)
    assert {n.session_id for n in lines} == {inspection.session.pk}
    page = client_for(supervisor).get(
        reverse("supervision-session-notes", args=[inspection.session.pk])
    )
    assert page.status_code == 200
    assert "8:10 到达考点" in page.content.decode()
    # The plan's page links each drawn session to its record.
    plan_page = cast.client("province").get(reverse("supervision-plan-detail", args=[plan.pk]))
    assert url_of_notes(inspection.session.pk) in plan_page.content.decode()
    # The institution's city reads it; the other city does not.
    url = reverse("supervision-session-notes", args=[inspection.session.pk])
    assert cast.client("city_a").get(url).status_code == 200
    assert cast.client("city_b").get(url).status_code == 404


def url_of_notes(session_pk: int) -> str:
    return reverse("supervision-session-notes", args=[session_pk])
