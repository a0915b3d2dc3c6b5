"""Defects a review of the supervision app found, each kept as a test that failed before its fix."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from skillcert.batches.choices import BatchStatus
from skillcert.core.errors import PermissionDenied
from skillcert.institutions.models import Filing
from skillcert.institutions.services import lifecycle
from skillcert.supervision import inspections, pool
from skillcert.supervision.alert_rules_records import late_results_filings, out_of_scope_batches
from skillcert.supervision.choices import Compliance
from skillcert.supervision.models import Finding
from tests.conftest import Cast
from tests.supervision.builders_alerts import build_alerts
from tests.supervision.builders_inspections import client_for, inspection_world

pytestmark = pytest.mark.django_db


# --- a member taken out of the pool stops working on their open inspections --------------


def test_an_inspector_taken_out_of_the_pool_records_nothing(cast: Cast) -> None:
    iw = inspection_world(cast)
    plan = iw.drawn()
    inspection = plan.inspections.order_by("pk").first()
    assert inspection is not None
    actor = iw.inspector_of(inspection)
    member = inspection.assignments.get(member__user_id=actor.user_id).member
    pool.member_deactivate(actor=iw.province, member=member, reason="违规出库")
    item = plan.items.order_by("code").first()
    assert item is not None
    with pytest.raises(PermissionDenied):
        inspections.finding_record(
            actor=actor, inspection=inspection, item=item, outcome=Compliance.MEETS, note=""
        )


def test_an_inspector_taken_out_of_the_pool_is_refused_over_http(cast: Cast) -> None:
    iw = inspection_world(cast)
    plan = iw.drawn()
    inspection = plan.inspections.order_by("pk").first()
    assert inspection is not None
    actor = iw.inspector_of(inspection)
    member = inspection.assignments.get(member__user_id=actor.user_id).member
    pool.member_deactivate(actor=iw.province, member=member, reason="违规出库")
    item = plan.items.order_by("code").first()
    assert item is not None
    response = client_for(actor).post(
        reverse("supervision-inspection-finding", args=[inspection.pk]),
        {"item_pk": item.pk, f"i{item.pk}-item": item.pk, f"i{item.pk}-outcome": "meets"},
    )
    assert response.status_code == 403
    assert not Finding.objects.filter(inspection=inspection).exists()


# --- late results filing: results never computed are late too ------------------------


def test_results_never_computed_past_the_due_date_are_late(cast: Cast) -> None:
    aw = build_alerts(cast)
    batch = aw.batch(status=BatchStatus.ASSESSED)
    aw.session(batch, aw.today - timedelta(days=40))
    # No BatchResults row: the institution never ran 统分, let alone filed the results.
    keys = [f.key for f in aw.run(late_results_filings)]
    assert f"batch:{batch.pk}" in keys


# --- out of scope: judged while the batch is live, not after the filing changes ---------


def test_a_revocation_does_not_flag_batches_carried_out_while_listed(cast: Cast) -> None:
    aw = build_alerts(cast)
    done = aw.batch(status=BatchStatus.ARCHIVED)
    aw.session(done, Filing.objects.get(institution=aw.inst_a).valid_from)
    assert f"batch:{done.pk}" not in [f.key for f in aw.run(out_of_scope_batches)]
    lifecycle.institution_revoke(
        actor=cast.actor("province"), institution=aw.inst_a, reason="严重违规"
    )
    keys = [f.key for f in aw.run(out_of_scope_batches)]
    # The enrolling batch must stop (it fires); the archived one was lawful when held.
    assert f"batch:{aw.enrol.batch.pk}" in keys
    assert f"batch:{done.pk}" not in keys


# --- absurd ids in query strings and forms ---------------------------------------------


def test_absurd_ids_give_no_server_error(cast: Cast) -> None:
    huge = "9" * 30
    client = cast.client("province")
    assert client.get(reverse("supervision-case-open") + f"?application={huge}").status_code == 200
    assert client.get(reverse("supervision-case-open") + f"?staff={huge}").status_code == 200
    iw = inspection_world(cast)
    plan = iw.drawn()
    inspection = plan.inspections.order_by("pk").first()
    assert inspection is not None
    actor = iw.inspector_of(inspection)
    response = client_for(actor).post(
        reverse("supervision-inspection-finding", args=[inspection.pk]),
        {"item_pk": "x", "ix-item": huge, "ix-outcome": "meets"},
    )
    assert response.status_code in (302, 404)
