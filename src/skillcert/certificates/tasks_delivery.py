"""Background delivery of the certificate outbox (queued by ``delivery.outbox_record``).

A run delivers what is due; when messages are still pending it queues the next run for
the moment the earliest of them is due again. Only a run that attempted something
queues the next one: after a burst of issuance many runs are queued, the first takes
the messages and the rest find nothing, so one retry chain remains, not one per
certificate. A backend that cannot defer (the in-process one of tests and demos) gets
no follow-up; ``manage.py deliver_certificates`` is the loop (and the cron backstop).
"""

from __future__ import annotations

from django_tasks import task

from skillcert.certificates.delivery import DeliveryReport, deliver_due, next_due_at


@task()
def deliver_outbox_task() -> int:
    """Deliver the due messages; returns how many were delivered."""
    report = deliver_due()
    schedule_follow_up(report)
    return report.delivered


def schedule_follow_up(report: DeliveryReport) -> bool:
    """Queue the next run at the earliest pending message's next attempt; True if queued."""
    if not report.attempted or not report.remaining:
        return False
    if not deliver_outbox_task.get_backend().supports_defer:
        return False
    due = next_due_at()
    if due is None:
        return False
    deliver_outbox_task.using(run_after=due).enqueue()
    return True
