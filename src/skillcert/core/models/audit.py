"""The append-only, hash-chained audit log (DESIGN.md "Data protection and audit")."""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.core.scoping import Scope, ScopedQuerySet


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(ScopedQuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")


class AuditEvent(models.Model):
    """One state change: who, for which organisation, did what to which object.

    Labels are copied into the row so it survives deletions of what it names.
    ``chain_hash`` covers the row's content and ``prev_hash``; see core.audit.
    """

    seq = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=128)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    organisation_label = models.CharField(max_length=128, blank=True)
    province_code = models.CharField(max_length=6, blank=True, db_index=True)
    city_code = models.CharField(max_length=6, blank=True, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    chain_hash = models.CharField(max_length=64)

    scope: ClassVar[Scope] = Scope(
        province="province_code",
        city="city_code",
        institution="organisation_id",
        person="actor_id",
    )
    objects: ClassVar[models.Manager[AuditEvent]] = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events are append-only")


class AuditChainHead(models.Model):
    """The last seq and hash: appends lock this row, and truncation is checked against it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    chain_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.seq} {self.chain_hash[:12]}"
