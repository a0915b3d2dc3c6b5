"""Background build of a batch dossier (queued by ``dossiers.dossier_request``)."""

from __future__ import annotations

from django.utils.translation import override
from django_tasks import task

from skillcert.archives.dossiers import dossier_build, dossier_claim

MESSAGE_LANGUAGE = "zh-hans"


@task()
def dossier_build_task(dossier_id: int) -> None:
    """Build dossier ``dossier_id`` once; a second delivery of the task does nothing."""
    dossier = dossier_claim(dossier_id)
    if dossier is None:
        return  # already built (or building), or gone
    with override(MESSAGE_LANGUAGE):
        dossier_build(dossier)
