"""Helpers shared by the enrollment services."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition
from skillcert.core.errors import clean_or_raise as clean_or_raise
from skillcert.enrollment.models import Application


def today_or(day: date | None) -> date:
    return day or timezone.localdate()


def required_text(value: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(message, code="required")
    return text


def lock_application(application: Application, allowed: Collection[str], verb: str) -> Application:
    """The application row under SELECT … FOR UPDATE, refused unless its status allows."""
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("batch__institution__organisation", "batch__standard_level", "person")
        .get(pk=application.pk)
    )
    if locked.status not in allowed:
        raise InvalidTransition(
            _("报名申请当前状态为“%(status)s”，不能%(verb)s。")
            % {"status": locked.get_status_display(), "verb": verb}
        )
    return locked


def audit_application(
    actor: Actor,
    action: str,
    application: Application,
    before: str | None = None,
    **changes: object,
) -> None:
    payload: dict[str, object] = {"after": {"status": application.status}, **changes}
    if before is not None:
        payload["before"] = {"status": before}
    audit_record(
        actor=actor,
        action=action,
        obj=application,
        organisation=application.batch.institution.organisation,
        changes=payload,
    )
