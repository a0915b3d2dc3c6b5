"""Admission numbers (准考证号): assigned when an application is approved.

Format: the batch code followed by a serial of at least four digits, allocated in order
under a lock on the batch row so concurrent approvals never collide.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.functions import Length

from skillcert.batches.models import Batch
from skillcert.enrollment.models import Application


def allocate_admission_number(application: Application) -> str:
    """The next admission number of the application's batch; call inside the approval."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_admission_number must run inside a transaction")
    batch = Batch.objects.select_for_update().get(pk=application.batch_id)
    taken = (
        Application.objects.filter(batch=batch, admission_number__isnull=False)
        # Longest first: past 9999 the serial grows a digit, so as text "B00110000" < "B0019999".
        .order_by(Length("admission_number").desc(), "-admission_number")
        .values_list("admission_number", flat=True)
        .first()
    )
    serial = int(taken[len(batch.code) :]) + 1 if taken else 1
    return f"{batch.code}{serial:04d}"
