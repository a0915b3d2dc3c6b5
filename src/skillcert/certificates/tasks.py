"""Background issuance of a batch's certificates (queued by ``issuance.issue_batch``)."""

from __future__ import annotations

from django.utils.translation import override
from django_tasks import task

from skillcert.certificates.issuance import claim_run, run_issuance

MESSAGE_LANGUAGE = "zh-hans"


@task()
def issue_batch_task(run_id: int) -> None:
    """Run issuance run ``run_id`` once; a second delivery of the task does nothing."""
    run = claim_run(run_id)
    if run is None:
        return  # already run (or running), or gone
    with override(MESSAGE_LANGUAGE):
        run_issuance(run)
