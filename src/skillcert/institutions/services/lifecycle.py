"""An institution's place in the directory after filing: suspension, reinstatement,
revocation and expiry (川人社办发〔2020〕20号 六(五); 云人社函〔2023〕1号 三(三)).

Each change publishes a public notice (目录公告) and records one audit event per
institution, inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.errors import clean_or_raise as clean_or_raise
from skillcert.institutions.choices import (
    FILING_TERMINAL,
    DirectoryNoticeKind,
    DirectoryStatus,
    FilingStatus,
)
from skillcert.institutions.models import (
    DirectoryNotice,
    Filing,
    FilingApplication,
    Institution,
    ScopeEntry,
)
from skillcert.institutions.permissions import is_authority_over


def require_authority(actor: Actor, institution: Institution) -> None:
    if not is_authority_over(actor, institution):
        raise PermissionDenied(_("只有该机构的属地人社部门可以办理此事项。"))


def lock_institution(institution: Institution, allowed: Collection[str], verb: str) -> Institution:
    """The institution row under SELECT … FOR UPDATE, refused unless its status is allowed."""
    locked = Institution.objects.select_for_update().get(pk=institution.pk)
    if locked.status not in allowed:
        raise InvalidTransition(
            _("该机构目录状态为“%(status)s”，不能%(verb)s。")
            % {"status": locked.get_status_display(), "verb": verb}
        )
    return locked


def notice_publish(*, institution: Institution, kind: str, text: str) -> DirectoryNotice:
    """Publish a directory notice; called inside the service that records the audit event."""
    notice = DirectoryNotice(institution=institution, kind=kind, text=text)
    clean_or_raise(notice)
    notice.save()
    return notice


def _set_status(institution: Institution, status: str, rectification_due: date | None) -> str:
    before = institution.status
    institution.status = status
    institution.status_changed_at = timezone.now()
    institution.rectification_due = rectification_due
    clean_or_raise(institution)
    institution.save(update_fields=["status", "status_changed_at", "rectification_due"])
    return before


def _required_text(value: str, message: str) -> str:
    text = value.strip()
    if not text:
        raise DomainError(message)
    return text


@transaction.atomic
def institution_suspend(
    *, actor: Actor, institution: Institution, reason: str, rectification_due: date
) -> Institution:
    """Suspend evaluation until rectified (限期整改); the directory shows it as suspended."""
    require_authority(actor, institution)
    locked = lock_institution(institution, {DirectoryStatus.ACTIVE}, _("暂停评价"))
    reason = _required_text(reason, _("请填写暂停原因。"))
    if rectification_due <= timezone.localdate():
        raise DomainError(_("整改期限应晚于今天。"))
    before = _set_status(locked, DirectoryStatus.SUSPENDED, rectification_due)
    text = _("%(name)s因%(reason)s，暂停开展职业技能等级认定，限期于%(due)s前完成整改。") % {
        "name": locked.name,
        "reason": reason,
        "due": rectification_due.isoformat(),
    }
    notice_publish(institution=locked, kind=DirectoryNoticeKind.SUSPENDED, text=text)
    audit_record(
        actor=actor,
        action="institution.suspend",
        obj=locked,
        organisation=locked.organisation,
        changes={
            "before": {"status": before},
            "after": {"status": locked.status, "rectification_due": rectification_due},
            "reason": reason,
        },
    )
    return locked


@transaction.atomic
def institution_reinstate(*, actor: Actor, institution: Institution, note: str) -> Institution:
    """Lift a suspension after rectification; a filing past its validity cannot be reinstated."""
    require_authority(actor, institution)
    locked = lock_institution(institution, {DirectoryStatus.SUSPENDED}, _("恢复评价"))
    note = _required_text(note, _("请填写整改验收意见。"))
    filing = Filing.objects.filter(institution=locked).first()
    if filing is None or filing.valid_until < timezone.localdate():
        raise DomainError(_("该机构备案已到期，不能恢复评价。"), code="expired")
    before = _set_status(locked, DirectoryStatus.ACTIVE, None)
    text = _("%(name)s已完成整改，恢复开展职业技能等级认定。%(note)s") % {
        "name": locked.name,
        "note": note,
    }
    notice_publish(institution=locked, kind=DirectoryNoticeKind.REINSTATED, text=text)
    audit_record(
        actor=actor,
        action="institution.reinstate",
        obj=locked,
        organisation=locked.organisation,
        changes={"before": {"status": before}, "after": {"status": locked.status}, "note": note},
    )
    return locked


@transaction.atomic
def institution_revoke(*, actor: Actor, institution: Institution, reason: str) -> Institution:
    """Revoke the filing (取消备案): scope entries lapse, open applications close, and a
    public notice removes it from the directory (川人社办发〔2020〕20号 六(五);
    云人社函〔2023〕1号 三(三))."""
    require_authority(actor, institution)
    allowed = {DirectoryStatus.ACTIVE, DirectoryStatus.SUSPENDED}
    locked = lock_institution(institution, allowed, _("取消备案"))
    reason = _required_text(reason, _("请填写取消备案的原因。"))
    before = _set_status(locked, DirectoryStatus.REVOKED, None)
    entries = ScopeEntry.objects.filter(filing__institution=locked, is_active=True).update(
        is_active=False
    )
    closed = (
        FilingApplication.objects.filter(institution=locked)
        .exclude(status__in=FILING_TERMINAL)
        .update(
            status=FilingStatus.REFUSED,
            decided_at=timezone.now(),
            decision_note=_("机构已被取消备案，申请终止。"),
        )
    )
    text = _(
        "%(name)s因%(reason)s，取消其职业技能等级评价机构备案，移出评价机构目录，"
        "自即日起不得开展职业技能等级认定活动。"
    ) % {"name": locked.name, "reason": reason}
    notice_publish(institution=locked, kind=DirectoryNoticeKind.REVOKED, text=text)
    audit_record(
        actor=actor,
        action="institution.revoke",
        obj=locked,
        organisation=locked.organisation,
        changes={
            "before": {"status": before},
            "after": {"status": locked.status},
            "reason": reason,
            "scope_entries_deactivated": entries,
            "applications_closed": closed,
        },
    )
    return locked


@transaction.atomic
def filings_expire(*, actor: Actor, today: date | None = None) -> int:
    """Mark every listed institution whose filing ended before ``today`` as EXPIRED, with a
    notice each; returns how many changed. Running it again changes nothing."""
    if not actor.is_platform_admin:
        raise PermissionDenied(_("只有系统任务可以批量处理备案到期。"))
    day = today or timezone.localdate()
    listed = (DirectoryStatus.ACTIVE, DirectoryStatus.SUSPENDED)
    due = (
        Institution.objects.filter(status__in=listed, filing__valid_until__lt=day)
        .select_related("organisation", "filing")
        .order_by("pk")
    )
    count = 0
    for institution in due:
        before = institution.status
        changed = Institution.objects.filter(pk=institution.pk, status=before).update(
            status=DirectoryStatus.EXPIRED, status_changed_at=timezone.now(), rectification_due=None
        )
        if not changed:
            continue  # changed by someone else since the query: leave it
        until = institution.filing.valid_until
        text = _(
            "%(name)s的职业技能等级评价机构备案（备案编号%(number)s）"
            "已于%(until)s到期，移出评价机构目录。"
        ) % {
            "name": institution.name,
            "number": institution.filing.filing_number,
            "until": until.isoformat(),
        }
        notice_publish(institution=institution, kind=DirectoryNoticeKind.EXPIRED, text=text)
        audit_record(
            actor=actor,
            action="institution.expire",
            obj=institution,
            organisation=institution.organisation,
            changes={
                "before": {"status": before},
                "after": {"status": DirectoryStatus.EXPIRED},
                "valid_until": until,
            },
        )
        count += 1
    return count
