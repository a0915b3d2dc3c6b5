"""Complaints and reports from the public (投诉举报).

The HR authorities receive complaints and reports and verify and handle them (川人社办发
〔2020〕20号 三(一)(三): 受理投诉举报并核实处理), and make the ways to report known
(云人社函〔2023〕1号 三: 畅通举报途径). Anyone may submit one, anonymously or with a name
and phone; the submitter gets a random tracking number (查询编号) that cannot be guessed
from another one, and reads the status and the reply with it on the public status page.

The complaint goes to the HR authority over the institution (its city's HR bureau), or to
the province's department when no institution or city is named. The reply is due within
the province's working days (``SupervisionPolicy.complaint_reply_working_days``) counted
on the Chinese calendar. Officials of the handler (or the province) assign it, the
province transfers it, and it ends replied (已答复, upheld or not) or declined (不予受理).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.certificates import ratelimit
from skillcert.certificates.ratelimit import Rate, parse_rate
from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.choices import OrganisationKind, RegionLevel, Role
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.identifiers import validate_phone
from skillcert.core.models import Membership, Organisation, Region, User
from skillcert.core.personal import phone_index
from skillcert.core.uploads import CheckedUpload, checked_upload
from skillcert.core.workdays import Deadline, deadline
from skillcert.institutions.models import Institution
from skillcert.supervision.choices import ComplaintKind, ComplaintStatus
from skillcert.supervision.models import Complaint, ComplaintFile
from skillcert.supervision.permissions import AUTHORITY_ROLES, is_province_official
from skillcert.supervision.policies import policy_for

logger = logging.getLogger(__name__)

# The actor of public submissions: nobody signed in, named in the audit log.
PUBLIC = Actor.system("public")

# Tracking numbers: TS + the receipt date + 8 characters from an alphabet without the
# look-alikes 0/O, 1/I/L (32**8 ≈ 10**12 per day: not guessable, easy to read out).
TRACKING_PREFIX = "TS"
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_RANDOM_LENGTH = 8
TRACKING_LENGTH = len(TRACKING_PREFIX) + 8 + TRACKING_RANDOM_LENGTH

SUBJECT_MAX = 200
CONTENT_MIN = 10
CONTENT_MAX = 5000
NAME_MAX = 64
REPLY_MAX = 5000
MAX_FILES = 3
FILE_MAX_BYTES = 10 * 1024 * 1024

OPEN_STATUSES = frozenset({ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED})
CLOSED_STATUSES = frozenset({ComplaintStatus.REPLIED, ComplaintStatus.DECLINED})

# Public submissions per client: ``COMPLAINT_RATE_LIMIT`` ("5/3600": five per hour), "off"
# lifts it. Every attempt counts, so the form cannot be used to flood the handlers.
DEFAULT_SUBMIT_RATE = "5/3600"
_RATE_KEY = "complaint-rate"


# --- who may do what ---------------------------------------------------------------------


def can_handle(actor: Actor, complaint: Complaint) -> bool:
    """HR officials whose scope holds the complaint: the handler's city, or the province."""
    if actor.is_platform_admin:
        return True
    if actor.role not in AUTHORITY_ROLES:
        return False
    return Complaint.objects.for_actor(actor).filter(pk=complaint.pk).exists()


def can_transfer(actor: Actor, complaint: Complaint) -> bool:
    """The province's officials send a complaint to another authority (属地)."""
    if actor.is_platform_admin:
        return True
    return is_province_official(actor) and actor.province_code == complaint.province_id


def is_open(complaint: Complaint) -> bool:
    return complaint.status in OPEN_STATUSES


def reply_due(province: Region | str, received_on: date) -> Deadline:
    """The reply's due date: the province's working days after the day of receipt."""
    return deadline(received_on, policy_for(province).complaint_reply_working_days)


# --- the public's submission -------------------------------------------------------------


@dataclass(frozen=True)
class _Submission:
    kind: str
    subject_text: str
    content: str
    complainant_name: str
    phone: str
    files: list[tuple[str, CheckedUpload]]


def complaint_submit(
    *,
    province: Region,
    kind: str,
    subject_text: str,
    content: str,
    institution: Institution | None = None,
    complainant_name: str = "",
    phone: str = "",
    files: Sequence[UploadedFile] = (),
    client: str | None = None,
) -> Complaint:
    """Receive a complaint or report from the public (no login). ``client`` is the
    submitter's address, counted against the per-client limit. Returns the complaint with
    its tracking number, which the page shows once and which is the only way back to it."""
    if client is not None:
        _count_submission(client)
    if province.level != RegionLevel.PROVINCE:
        raise DomainError(_("请选择省份。"), code="invalid_province")
    if institution is not None and institution.organisation.province_id != province.code:
        raise DomainError(_("所选评价机构不在该省。"), code="invalid_institution")
    data = _validated(kind, subject_text, content, complainant_name, phone, files)
    handler = handler_for(province, institution)
    now = timezone.now()
    due = reply_due(province, timezone.localdate(now))
    with transaction.atomic():
        complaint = Complaint(
            tracking_number=_new_tracking_number(timezone.localdate(now)),
            province=province,
            kind=data.kind,
            institution=institution,
            subject_text=data.subject_text,
            content=data.content,
            complainant_name=data.complainant_name,
            complainant_phone=data.phone,
            complainant_phone_index=phone_index(data.phone) if data.phone else "",
            status=ComplaintStatus.RECEIVED,
            handler=handler,
            received_at=now,
            due_on=due.due,
            due_provisional=due.provisional,
        )
        complaint.save(force_insert=True)
        for original_name, upload in data.files:
            _store_file(complaint, original_name, upload)
        audit_record(
            actor=PUBLIC,
            action="supervision.complaint_submit",
            obj=complaint,
            organisation=handler,
            changes={
                "kind": data.kind,
                "institution": institution.pk if institution else None,
                "handler": handler.pk,
                "due_on": due.due,
                "due_provisional": due.provisional,
                "anonymous": not (data.complainant_name or data.phone),
                "files": len(data.files),
            },
        )
    return complaint


def _validated(
    kind: str,
    subject_text: str,
    content: str,
    complainant_name: str,
    phone: str,
    files: Sequence[UploadedFile],
) -> _Submission:
    """Every check before anything is written: a refusal stores no row and no file."""
    if kind not in ComplaintKind.values:
        raise DomainError(_("请选择类型（投诉或举报）。"), code="invalid_kind")
    subject_text = subject_text.strip()
    if not subject_text:
        raise DomainError(_("请填写被投诉举报的单位或个人。"), code="subject_required")
    if len(subject_text) > SUBJECT_MAX:
        raise DomainError(
            _("被投诉举报对象不能超过%(n)d个字。") % {"n": SUBJECT_MAX}, code="subject_too_long"
        )
    content = content.strip()
    if len(content) < CONTENT_MIN:
        raise DomainError(
            _("请详细描述投诉举报的事实（至少%(n)d个字）。") % {"n": CONTENT_MIN},
            code="content_too_short",
        )
    if len(content) > CONTENT_MAX:
        raise DomainError(
            _("投诉举报内容不能超过%(n)d个字。") % {"n": CONTENT_MAX}, code="content_too_long"
        )
    complainant_name = complainant_name.strip()
    if len(complainant_name) > NAME_MAX:
        raise DomainError(_("姓名过长。"), code="name_too_long")
    return _Submission(
        kind=kind,
        subject_text=subject_text,
        content=content,
        complainant_name=complainant_name,
        phone=_validated_phone(phone),
        files=_checked_files(files),
    )


def _validated_phone(phone: str) -> str:
    if not phone.strip():
        return ""
    try:
        return validate_phone(phone)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="invalid_phone") from exc


def _checked_files(files: Sequence[UploadedFile]) -> list[tuple[str, CheckedUpload]]:
    if len(files) > MAX_FILES:
        raise DomainError(_("最多上传%(n)d个证据材料。") % {"n": MAX_FILES}, code="too_many_files")
    checked = []
    for uploaded in files:
        name = PurePath(uploaded.name or "").name[-200:]
        try:
            checked.append((name, checked_upload(uploaded, max_bytes=FILE_MAX_BYTES)))
        except DomainError as exc:
            message = _("证据材料“%(name)s”：%(problem)s") % {
                "name": name,
                "problem": exc.message,
            }
            raise DomainError(message, code=exc.code) from exc
    return checked


def _store_file(complaint: Complaint, original_name: str, upload: CheckedUpload) -> None:
    # A random name in the private default storage (never served directly).
    row = ComplaintFile(
        complaint=complaint,
        original_name=original_name,
        content_type=upload.content_type,
        size=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
    )
    row.file.save(f"{uuid4().hex}.{upload.extension}", ContentFile(upload.data), save=False)
    row.save(force_insert=True)


def handler_for(province: Region, institution: Institution | None) -> Organisation:
    """The HR bureau of the institution's city (属地), else the province's department."""
    city_id = institution.organisation.city_id if institution is not None else None
    if city_id:
        found = _authority(OrganisationKind.CITY_HR, province.code, city_id)
        if found is not None:
            return found
    found = _authority(OrganisationKind.PROVINCE_HR, province.code, None)
    if found is None:
        raise DomainError(_("该省尚未设置投诉举报受理单位。"), code="no_handler")
    return found


def _authority(kind: str, province_id: str, city_id: str | None) -> Organisation | None:
    return (
        Organisation.objects.filter(
            kind=kind, province_id=province_id, city_id=city_id, is_active=True
        )
        .order_by("pk")
        .first()
    )


def _new_tracking_number(received_on: date) -> str:
    stem = TRACKING_PREFIX + received_on.strftime("%Y%m%d")
    for _attempt in range(10):
        random_part = "".join(
            secrets.choice(TRACKING_ALPHABET) for _n in range(TRACKING_RANDOM_LENGTH)
        )
        number = stem + random_part
        if not Complaint.objects.filter(tracking_number=number).exists():
            return number
    raise RuntimeError("no free tracking number after 10 draws")  # 32**8 a day: never


def normalise_tracking_number(text: str) -> str:
    """What a person types: spaces and hyphens dropped, upper case."""
    return "".join(text.split()).replace("-", "").upper()


# --- the per-client limit ----------------------------------------------------------------


def submit_rate() -> Rate | None:
    return parse_rate(str(getattr(settings, "COMPLAINT_RATE_LIMIT", DEFAULT_SUBMIT_RATE)))


def _count_submission(client: str) -> None:
    """The same fixed window counter as public verification's; refused past the limit.
    If the cache is down the submission is allowed: the public must be able to complain."""
    verdict = ratelimit.count(client, _RATE_KEY, submit_rate())
    if not verdict.allowed:
        minutes = max(1, (verdict.retry_after + 59) // 60)
        raise DomainError(
            _("提交过于频繁，请在%(minutes)d分钟后再试。") % {"minutes": minutes},
            code="rate_limited",
        )


# --- handling ---------------------------------------------------------------------------


def _require_handler(actor: Actor, complaint: Complaint) -> None:
    if not can_handle(actor, complaint):
        raise PermissionDenied(_("只有承办单位或省级人社部门的工作人员可以办理投诉举报。"))


def _locked_open(complaint: Complaint) -> Complaint:
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status not in OPEN_STATUSES:
        raise InvalidTransition(_("该投诉举报已办结。"), code="closed")
    return locked


def _required_text(text: str, missing: str, code: str) -> str:
    text = text.strip()
    if not text:
        raise DomainError(missing, code=code)
    if len(text) > REPLY_MAX:
        raise DomainError(_("内容不能超过%(n)d个字。") % {"n": REPLY_MAX}, code="too_long")
    return text


def official_memberships(complaint: Complaint) -> list[Membership]:
    """The active HR-official memberships whose scope holds the complaint (assignees): the
    province's officials, and the city's when a city handles it."""
    in_scope = Q(role=Role.PROVINCE_OFFICIAL)
    if complaint.handler.city_id:
        in_scope |= Q(role=Role.CITY_OFFICIAL, organisation__city_id=complaint.handler.city_id)
    return list(
        Membership.objects.filter(
            in_scope,
            is_active=True,
            user__is_active=True,
            organisation__province_id=complaint.province_id,
        )
        .select_related("user", "organisation")
        .order_by("organisation__city_id", "organisation_id", "user__full_name", "pk")
    )


def complaint_assign(*, actor: Actor, complaint: Complaint, assignee: User) -> Complaint:
    """Give the complaint to an official who may handle it (办理中)."""
    _require_handler(actor, complaint)
    with transaction.atomic():
        locked = _locked_open(complaint)
        if not any(m.user_id == assignee.pk for m in official_memberships(locked)):
            raise DomainError(
                _("承办人必须是有权办理该投诉举报的人社部门工作人员。"), code="invalid_assignee"
            )
        before = locked.assignee_id
        locked.assignee, locked.status = assignee, ComplaintStatus.ASSIGNED
        locked.save(update_fields=["assignee", "status"])
        audit_record(
            actor=actor,
            action="supervision.complaint_assign",
            obj=locked,
            organisation=locked.handler,
            changes={"assignee": [before, assignee.pk], "status": ComplaintStatus.ASSIGNED},
        )
    return locked


def transfer_targets(complaint: Complaint) -> list[Organisation]:
    """The HR authorities of the province a complaint may be sent to."""
    return list(
        Organisation.objects.filter(
            province_id=complaint.province_id,
            kind__in=[OrganisationKind.CITY_HR, OrganisationKind.PROVINCE_HR],
            is_active=True,
        )
        .exclude(pk=complaint.handler_id)
        .order_by("city_id", "name")
    )


def complaint_transfer(*, actor: Actor, complaint: Complaint, handler: Organisation) -> Complaint:
    """转办: the province sends the complaint to a city's HR bureau (or takes it back). It
    starts again unassigned there; the reply's due date does not move."""
    if not can_transfer(actor, complaint):
        raise PermissionDenied(_("只有省级人社部门可以转办投诉举报。"))
    if handler.pk not in {o.pk for o in transfer_targets(complaint)}:
        raise DomainError(_("只能转至本省的人社部门。"), code="invalid_handler")
    with transaction.atomic():
        locked = _locked_open(complaint)
        before = locked.handler_id
        locked.handler, locked.assignee = handler, None
        locked.status = ComplaintStatus.RECEIVED
        locked.save(update_fields=["handler", "assignee", "status"])
        audit_record(
            actor=actor,
            action="supervision.complaint_transfer",
            obj=locked,
            organisation=handler,
            changes={"handler": [before, handler.pk], "status": ComplaintStatus.RECEIVED},
        )
    return locked


def complaint_reply(*, actor: Actor, complaint: Complaint, reply: str, upheld: bool) -> Complaint:
    """答复: the finding (upheld or not) and the reply the submitter reads (已答复)."""
    _require_handler(actor, complaint)
    text = _required_text(reply, _("请填写答复意见。"), "reply_required")
    with transaction.atomic():
        locked = _locked_open(complaint)
        _close(actor, locked, ComplaintStatus.REPLIED, text, upheld)
        audit_record(
            actor=actor,
            action="supervision.complaint_reply",
            obj=locked,
            organisation=locked.handler,
            changes={"status": ComplaintStatus.REPLIED, "upheld": upheld},
        )
    return locked


def complaint_decline(*, actor: Actor, complaint: Complaint, reason: str) -> Complaint:
    """不予受理, with the reason as the reply the submitter reads."""
    _require_handler(actor, complaint)
    text = _required_text(reason, _("请填写不予受理的理由。"), "reason_required")
    with transaction.atomic():
        locked = _locked_open(complaint)
        _close(actor, locked, ComplaintStatus.DECLINED, text, None)
        audit_record(
            actor=actor,
            action="supervision.complaint_decline",
            obj=locked,
            organisation=locked.handler,
            changes={"status": ComplaintStatus.DECLINED},
        )
    return locked


def _close(actor: Actor, complaint: Complaint, status: str, text: str, upheld: bool | None) -> None:
    complaint.status, complaint.reply, complaint.upheld = status, text, upheld
    complaint.replied_at, complaint.replied_by_label = timezone.now(), actor.label[:128]
    complaint.save(update_fields=["status", "reply", "upheld", "replied_at", "replied_by_label"])


def complaint_phone_reveal(*, actor: Actor, complaint: Complaint) -> str:
    """The submitter's full phone number for the official who calls back; audited."""
    _require_handler(actor, complaint)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="supervision.complaint_phone_reveal",
            obj=complaint,
            organisation=complaint.handler,
            changes={"field": "complainant_phone"},
        )
    value = complaint.complainant_phone
    return str(value.plain) if value else ""
