"""The results demo: a published batch built through the services on the demo province."""

from __future__ import annotations

from decimal import Decimal

from django.core.management import call_command

from skillcert.batches.choices import BatchStatus
from skillcert.core.audit import verify_chain
from skillcert.core.models import AuditEvent
from skillcert.results import demo
from skillcert.results.choices import ComponentState, ObjectionStatus, Outcome, ResultsStatus
from skillcert.results.models import ComponentScore, ExaminerSheet, Objection, Result
from skillcert.results.scoring import signature_valid


def test_seed_demo_publishes_a_batch_of_results(db: None) -> None:
    call_command("seed_demo", verbosity=0)
    demo_results = Result.objects.filter(application__batch__title=demo.TITLE)
    outcomes = list(demo_results.order_by("application__pk").values_list("outcome", flat=True))
    assert outcomes == [Outcome.PASSED] * 4 + [Outcome.FAILED, Outcome.ABSENT]
    failed = demo_results.get(outcome=Outcome.FAILED)
    assert failed.total is not None
    assert failed.total > Decimal(60)  # a high total, one part failed
    rescored = ComponentScore.objects.get(component="practical", round=2)
    assert rescored.state == ComponentState.SCORED
    assert ExaminerSheet.objects.filter(application=rescored.application, round=1).count() == 3
    assert all(signature_valid(sheet) for sheet in ExaminerSheet.objects.all())
    batch = failed.application.batch
    assert batch.status == BatchStatus.RESULTS_PUBLISHED
    assert batch.results.status == ResultsStatus.PUBLISHED  # type: ignore[attr-defined, unused-ignore]
    assert Objection.objects.get().status == ObjectionStatus.SUBMITTED
    assert verify_chain()[1] is None
    events = AuditEvent.objects.count()
    call_command("seed_demo", verbosity=0)  # idempotent
    assert AuditEvent.objects.count() == events
