"""What disposal removes, per record type: conservative and documented.

A disposal removes only what the record type alone holds and nothing a long-term record
still relies on. The candidates, their applications, results and certificates are facts
that long-term records (rosters, the certified roster, violation records) and a person's
lifelong skill record refer to, so a limited-period type whose facts live in those rows
loses only its frozen inventory (deleted by ``disposal_execute`` for every type):

- ``electronic_data`` (≥5 years): the theory exam's answers and attempt logs (exams
  ``Answer`` with their subjective grades, ``AttemptEvent``). The attempt, its score and
  the composite result stay: they are the basis of the certificate.
- ``signin_sheets`` (≥3 years): the sessions' ``CheckIn`` rows.
- ``change_requests`` (≥3 years): the evidence files attached to the batch's certificate
  change and reissue requests; the request rows stay, because every certificate version
  refers to the request that made it.
- ``video``: the system holds no video (the institution keeps it; its location is the
  record's note) — the institution destroys the recordings under the approved list.
- every other limited type: the frozen inventory only.

Long-term types are never listed, so nothing here handles them; :func:`purge` refuses them.
Runs inside ``guard.disposal_context()`` and the execution's transaction; files are
deleted from storage after the commit.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.db.models.fields.files import FieldFile

from skillcert.archives.choices import RecordType, RetentionClass
from skillcert.archives.guard import disposing
from skillcert.archives.registry import spec_for
from skillcert.batches.models import Batch
from skillcert.certificates.models import ChangeRequest
from skillcert.exams.models import Answer, AttemptEvent, CheckIn


def delete_file_on_commit(field: FieldFile) -> None:
    """Remove a stored file once the transaction commits (a rollback keeps it)."""
    name, storage = field.name, field.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _electronic_data(batch: Batch) -> int:
    answers = Answer.objects.filter(attempt__sitting__session__batch=batch)
    events = AttemptEvent.objects.filter(attempt__sitting__session__batch=batch)
    removed_answers, _detail = answers.delete()
    removed_events, _detail = events.delete()
    return removed_answers + removed_events


def _signin_sheets(batch: Batch) -> int:
    removed, _detail = CheckIn.objects.filter(session__batch=batch).delete()
    return removed


def _change_requests(batch: Batch) -> int:
    removed = 0
    rows = ChangeRequest.objects.filter(certificate__batch=batch).exclude(evidence="")
    for request in rows.select_for_update():
        delete_file_on_commit(request.evidence)
        request.evidence = ""  # clearing a FileField
        request.save(update_fields=["evidence"])
        removed += 1
    return removed


PURGES: dict[str, Callable[[Batch], int]] = {
    RecordType.ELECTRONIC_DATA: _electronic_data,
    RecordType.SIGNIN_SHEETS: _signin_sheets,
    RecordType.CHANGE_REQUESTS: _change_requests,
}


def purge(record_type: str, batch: Batch) -> int:
    """Remove what disposal of ``record_type`` removes for ``batch``; the number of rows
    or files removed (0 for types that lose their inventory only)."""
    if spec_for(record_type).retention_class == RetentionClass.LONG_TERM:
        raise ValueError(f"long-term records are never disposed of: {record_type}")
    if not disposing():
        raise RuntimeError("purge runs only inside disposal_context()")
    action = PURGES.get(record_type)
    return action(batch) if action is not None else 0
