"""The province's people pools and its spot-check list (川人社办发〔2020〕20号 五(一):
建立监管对象数据库、质量督导数据库和随机抽查事项清单).

Provincial officials keep both pools: inspectors (执法检查人员) and external quality
supervisors (外部质量督导员, 人社职司便函〔2020〕53号). Each member may be linked to a
login (to record results and 考场记录表 lines) and names their own organisation, which
a draw never sends them to. An external supervisor gets a card number on entry.

The 随机抽查事项清单 starts from the default lines below (each citing the notice it
comes from) and is then kept by the province's officials; it is public (一公开).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skillcert.core.actors import Actor
from skillcert.core.audit import audit_record
from skillcert.core.errors import DomainError, InvalidTransition, PermissionDenied
from skillcert.core.models import Organisation, Region, User
from skillcert.institutions.numbering import next_value
from skillcert.supervision.choices import PoolKind, TargetKind
from skillcert.supervision.models import CheckItem, PoolMember
from skillcert.supervision.permissions import is_province_official

NAME_MAX = 64
EMPLOYER_MAX = 128
CARD_SERIAL_LIMIT = 9999


# --- permissions -------------------------------------------------------------------------


def can_manage_pool(actor: Actor, province: Region | str) -> bool:
    """The province's own officials (or the platform) keep its pools and its list."""
    code = province if isinstance(province, str) else province.code
    return is_province_official(actor) and (actor.is_platform_admin or actor.province_code == code)


def _require_manager(actor: Actor, province: Region | str) -> None:
    if not can_manage_pool(actor, province):
        raise PermissionDenied(_("只有本省人社部门可以管理检查督导人员库和抽查事项清单。"))


# --- pool members ------------------------------------------------------------------------


def card_number_allocate(*, province: Region, year: int) -> str:
    """外督 card number: ``R`` + the province's two digits + the year's two digits + a
    four-digit serial (national-rules §1.9, Jiangxi example: R 36 yy nnnn)."""
    prefix = f"R{province.province_prefix}{year % 100:02d}"
    return f"{prefix}{next_value(f'supervisor-card:{prefix}', CARD_SERIAL_LIMIT):04d}"


def _clean_name(full_name: str) -> str:
    name = " ".join(full_name.split())
    if not name:
        raise DomainError(_("请填写姓名。"), code="name_required")
    if len(name) > NAME_MAX:
        raise DomainError(_("姓名过长。"), code="name_too_long")
    return name


def _check_affiliation(province: Region, affiliation: Organisation | None) -> None:
    if affiliation is not None and affiliation.province_id != province.code:
        raise DomainError(_("所在单位必须是本省的单位。"), code="affiliation_other_province")


def _check_user_free(province: Region, pool: str, user: User, *, exclude: int | None) -> None:
    """One login is at most one active member of each pool of a province."""
    if not user.is_active:
        raise DomainError(_("该账号已停用。"), code="user_inactive")
    # Two officials adding the same login at once: the second waits and then sees the first.
    User.objects.select_for_update().filter(pk=user.pk).first()
    taken = PoolMember.objects.filter(province=province, pool=pool, user=user, is_active=True)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise DomainError(_("该账号已在本人员库中。"), code="duplicate_member")


def member_add(
    *,
    actor: Actor,
    province: Region,
    pool: str,
    full_name: str,
    user: User | None = None,
    affiliation: Organisation | None = None,
    employer: str = "",
) -> PoolMember:
    """Enter someone into the province's inspector or external-supervisor pool; an
    external supervisor gets the next card number of the year."""
    _require_manager(actor, province)
    if pool not in PoolKind.values:
        raise DomainError(_("未知的人员库。"), code="invalid_pool")
    name = _clean_name(full_name)
    employer = employer.strip()
    if len(employer) > EMPLOYER_MAX:
        raise DomainError(_("工作单位名称过长。"), code="employer_too_long")
    _check_affiliation(province, affiliation)
    with transaction.atomic():
        if user is not None:
            _check_user_free(province, pool, user, exclude=None)
        card = ""
        if pool == PoolKind.EXTERNAL_SUPERVISOR:
            card = card_number_allocate(province=province, year=timezone.localdate().year)
        member = PoolMember.objects.create(
            province=province,
            pool=pool,
            full_name=name,
            user=user,
            affiliation=affiliation,
            employer=employer or (affiliation.name if affiliation else ""),
            card_number=card,
        )
        audit_record(
            actor=actor,
            action="supervision.pool_member_add",
            obj=member,
            organisation=actor.organisation,
            changes={
                "pool": pool,
                "full_name": name,
                "user": user.pk if user else None,
                "affiliation": affiliation.pk if affiliation else None,
                "card_number": card,
            },
        )
    return member


def _locked(member: PoolMember) -> PoolMember:
    return PoolMember.objects.select_for_update().select_related("province").get(pk=member.pk)


def member_deactivate(*, actor: Actor, member: PoolMember, reason: str = "") -> PoolMember:
    """Take someone out of the pool: no later draw picks them and their open tasks stop
    accepting their entries. The row stays, with the inspections they took part in."""
    _require_manager(actor, member.province_id)
    with transaction.atomic():
        locked = _locked(member)
        if not locked.is_active:
            raise InvalidTransition(_("该人员已出库。"), code="already_inactive")
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="supervision.pool_member_deactivate",
            obj=locked,
            organisation=actor.organisation,
            changes={"is_active": [True, False], "reason": reason.strip()[:200]},
        )
    return locked


def member_link_user(*, actor: Actor, member: PoolMember, user: User) -> PoolMember:
    """Link a member to a login, so they see their tasks and record results."""
    _require_manager(actor, member.province_id)
    with transaction.atomic():
        locked = _locked(member)
        if not locked.is_active:
            raise InvalidTransition(_("该人员已出库。"), code="inactive")
        if locked.user_id == user.pk:
            raise InvalidTransition(_("该人员已关联此账号。"), code="already_linked")
        _check_user_free(locked.province, locked.pool, user, exclude=locked.pk)
        before = locked.user_id
        locked.user = user
        locked.save(update_fields=["user"])
        audit_record(
            actor=actor,
            action="supervision.pool_member_link_user",
            obj=locked,
            organisation=actor.organisation,
            changes={"user": [before, user.pk]},
        )
    return locked


# --- the spot-check list -----------------------------------------------------------------


@dataclass(frozen=True)
class DefaultItem:
    code: str
    title: str
    basis: str
    method: str
    applies_to: str


# The default 随机抽查事项清单; every basis names the notice and section it rests on.
DEFAULT_ITEMS: tuple[DefaultItem, ...] = (
    DefaultItem(
        "J01",
        "在备案的职业（工种）和等级范围内开展认定，未授权或委托其他机构",
        "川人社办发〔2020〕20号 六(四)；云人社函〔2023〕1号 一(三)、三(三)",
        "比对备案范围、备案有效期与近期认定批次和证书数据",
        TargetKind.INSTITUTION,
    ),
    DefaultItem(
        "J02",
        "专职工作人员、考评人员、质量督导人员配备（每个职业（工种）考评人员不少于3人）",
        "川人社办发〔2020〕20号 附件1",
        "查阅人员名册、聘任文件和技术技能水平证明",
        TargetKind.INSTITUTION,
    ),
    DefaultItem(
        "J03",
        "考核场地、设施设备和网络视频监控设备",
        "川人社办发〔2020〕20号 附件1；云人社函〔2023〕1号 三(二)",
        "现场查看场地、设施设备和视频监控运行情况",
        TargetKind.INSTITUTION,
    ),
    DefaultItem(
        "J04",
        "认定档案分类保管（长期、5年以上、3年以上）",
        "云人社函〔2023〕1号 二(三)",
        "按保管类别抽查纸质和电子档案",
        TargetKind.INSTITUTION,
    ),
    DefaultItem(
        "J05",
        "评价收费标准公示，评价活动不以营利为目的",
        "川人社办发〔2020〕20号 附件1；沪人社职〔2022〕102号 三(三)",
        "查看收费标准公示、收费依据和收费凭据",
        TargetKind.INSTITUTION,
    ),
    DefaultItem(
        "J06",
        "内部质量督导制度及执行",
        "川人社办发〔2020〕20号 附件4(三)",
        "查阅内部质量督导员名册和考场记录表中的督导记录",
        TargetKind.INSTITUTION,
    ),
    DefaultItem(
        "J07",
        "证书发放与数据上报",
        "云人社函〔2023〕1号 二(二)；川人社办发〔2020〕20号 附件4(四)、(五)",
        "比对证书数据与已备案成绩，核查全国联网查询情况",
        TargetKind.INSTITUTION,
    ),
    DefaultItem(
        "P01",
        "认定计划按时报备且在备案范围内",
        "川人社办发〔2020〕20号 附件4(一)、六(四)",
        "核对认定计划报备时间、职业（工种）和等级",
        TargetKind.BATCH,
    ),
    DefaultItem(
        "P02",
        "申报资格审核（申报表、佐证材料、真实性书面承诺）",
        "云人社函〔2023〕1号 二(一)",
        "抽查参评人员户籍、学历、专业、工作岗位及年限、上一级证书",
        TargetKind.BATCH,
    ),
    DefaultItem(
        "P03",
        "考务人员、考评人员、督导员配备",
        "川人社办发〔2020〕20号 附件4(一)、(二)",
        "核对考务人员、考评员、内部质量督导员安排与配比",
        TargetKind.BATCH,
    ),
    DefaultItem(
        "P04",
        "考场设置与视频监控、人脸识别和定位签到",
        "川人社办发〔2020〕20号 附件1；云人社函〔2023〕1号 三(二)",
        "查看考场安排、签到记录和视频资料",
        TargetKind.BATCH,
    ),
    DefaultItem(
        "P05",
        "试卷（试题）命制与保密管理",
        "川人社办发〔2020〕20号 五(一)、附件4(二)",
        "查看试卷交接、保管、启封和回收记录",
        TargetKind.BATCH,
    ),
    DefaultItem(
        "P06",
        "评分与成绩管理（无成绩造假）",
        "川人社办发〔2020〕20号 六(五)、附件4(四)",
        "抽查评分表、成绩记录与上报数据的一致性",
        TargetKind.BATCH,
    ),
    DefaultItem(
        "P07",
        "证书发放与数据上报",
        "云人社函〔2023〕1号 一(四)、二(二)",
        "核对证书与合格成绩、证书数据上报情况",
        TargetKind.BATCH,
    ),
    DefaultItem(
        "P08",
        "考场记录表与内部质量督导记录",
        "川人社办发〔2020〕20号 附件4(三)",
        "查阅考场记录表和督导员签字",
        TargetKind.BATCH,
    ),
    DefaultItem(
        "P09",
        "认定过程资料归档",
        "云人社函〔2023〕1号 二(三)",
        "抽查理论试卷、实操评分表、考场安排、签到、记录表等",
        TargetKind.BATCH,
    ),
)

CHECKLIST_ACTOR = "checklist_ensure"


def checklist_ensure(*, province: Region) -> list[CheckItem]:
    """The province's list, with every default line it lacks added (by code; lines the
    officials changed or switched off are left as they are). Running it again adds
    nothing."""
    with transaction.atomic():
        have = set(
            CheckItem.objects.select_for_update()
            .filter(province=province)
            .values_list("code", flat=True)
        )
        missing = [d for d in DEFAULT_ITEMS if d.code not in have]
        if missing:
            CheckItem.objects.bulk_create(
                CheckItem(
                    province=province,
                    code=d.code,
                    title=d.title,
                    basis=d.basis,
                    method=d.method,
                    applies_to=d.applies_to,
                )
                for d in missing
            )
            audit_record(
                actor=Actor.system(CHECKLIST_ACTOR),
                action="supervision.checklist_ensure",
                organisation=None,
                changes={"province": province.code, "added": [d.code for d in missing]},
            )
    return list(CheckItem.objects.filter(province=province).order_by("code"))


def check_item_add(
    *,
    actor: Actor,
    province: Region,
    code: str,
    title: str,
    basis: str,
    applies_to: str,
    method: str = "",
) -> CheckItem:
    """Add a line to the province's list (its code unique within the province)."""
    _require_manager(actor, province)
    code, title, basis, method = code.strip().upper(), title.strip(), basis.strip(), method.strip()
    if not code or len(code) > 16:
        raise DomainError(_("事项编号为1至16个字符。"), code="invalid_code")
    if not title or len(title) > 200:
        raise DomainError(_("请填写抽查事项（不超过200字）。"), code="invalid_title")
    if not basis or len(basis) > 200:
        raise DomainError(_("请填写依据（不超过200字）。"), code="invalid_basis")
    if len(method) > 200:
        raise DomainError(_("检查方式过长。"), code="invalid_method")
    if applies_to not in (TargetKind.INSTITUTION, TargetKind.BATCH):
        raise DomainError(_("抽查对象须为评价机构或认定批次。"), code="invalid_target")
    with transaction.atomic():
        if CheckItem.objects.filter(province=province, code=code).exists():
            raise DomainError(_("事项编号已存在。"), code="duplicate_code")
        try:
            # Two officials adding the same code at once: the second meets the constraint.
            with transaction.atomic():
                item = CheckItem.objects.create(
                    province=province,
                    code=code,
                    title=title,
                    basis=basis,
                    method=method,
                    applies_to=applies_to,
                )
        except IntegrityError as exc:
            raise DomainError(_("事项编号已存在。"), code="duplicate_code") from exc
        audit_record(
            actor=actor,
            action="supervision.check_item_add",
            obj=item,
            organisation=actor.organisation,
            changes={"code": code, "title": title, "basis": basis, "applies_to": applies_to},
        )
    return item


def check_item_toggle(*, actor: Actor, item: CheckItem) -> CheckItem:
    """Switch a line off (later plans no longer offer it) or back on."""
    _require_manager(actor, item.province_id)
    with transaction.atomic():
        locked = CheckItem.objects.select_for_update().get(pk=item.pk)
        locked.is_active = not locked.is_active
        locked.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="supervision.check_item_toggle",
            obj=locked,
            organisation=actor.organisation,
            changes={"code": locked.code, "is_active": [not locked.is_active, locked.is_active]},
        )
    return locked
