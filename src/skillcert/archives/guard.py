"""The deletion guard: rows of an archived batch leave only through an approved disposal.

A ``pre_delete`` receiver is connected to every model that holds a record type of a
batch's archive (``registry.MODEL_CLASSES``). Deleting such a row while its batch is
已归档 raises :class:`ArchivedRecordDeletion`, unless the deletion runs inside
:func:`disposal_context` — set only by ``disposal.disposal_execute``. The archive's own
registers (records, disposal lists and their lines, holds, dossiers) are never deleted.

Django sends ``pre_delete`` for every row a ``QuerySet.delete()`` or a cascade removes
(a model with receivers is never fast-deleted), and sends all of them before the first
DELETE statement, so one refusal leaves the whole deletion undone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.signals import pre_delete
from django.utils.translation import gettext as _

from skillcert.archives.registry import NEVER_DELETED, batch_bound_models
from skillcert.batches.choices import BatchStatus
from skillcert.core.errors import DomainError

_disposing: ContextVar[bool] = ContextVar("archives_disposing", default=False)


class ArchivedRecordDeletion(DomainError):
    """A deletion of archived data outside an approved disposal."""

    status = 409

    def __init__(self, message: str, *, code: str = "archived") -> None:
        super().__init__(message, code=code)


@contextmanager
def disposal_context() -> Iterator[None]:
    """Deletions of archived rows are allowed inside (disposal execution only)."""
    token = _disposing.set(True)
    try:
        yield
    finally:
        _disposing.reset(token)


def disposing() -> bool:
    return _disposing.get()


def _status_lookup(path: str) -> str:
    return f"{path}__status" if path else "status"


def _refuse_archived(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if _disposing.get() or instance.pk is None:
        return
    lookup = _status_lookup(_PATHS[sender._meta.label])
    archived = sender._base_manager.filter(pk=instance.pk, **{lookup: BatchStatus.ARCHIVED})
    if archived.exists():
        raise ArchivedRecordDeletion(
            _("“%(what)s”属于已归档批次，只能经批准的销毁清册销毁，不能删除。")
            % {"what": sender._meta.verbose_name}
        )


def _refuse_always(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    raise ArchivedRecordDeletion(
        _("“%(what)s”须永久保存，不能删除。") % {"what": sender._meta.verbose_name},
        code="kept_forever",
    )


_PATHS: dict[str, str] = {}


def connect() -> None:
    """Connect the receivers (``ArchivesConfig.ready``); connecting twice is harmless."""
    _PATHS.update(batch_bound_models())
    for label in _PATHS:
        model = apps.get_model(label)
        pre_delete.connect(_refuse_archived, sender=model, dispatch_uid=f"archives-guard-{label}")
    for label in NEVER_DELETED:
        model = apps.get_model(label)
        pre_delete.connect(_refuse_always, sender=model, dispatch_uid=f"archives-keep-{label}")
