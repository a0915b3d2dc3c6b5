"""Institutions, their sites and staff, filing applications and the filings they produce.

Scoping follows the institution's organisation: province and city officials see the
institutions located in their area (属地监管), an institution sees only itself.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from skillcert.catalog.models import Occupation, Standard, WorkType
from skillcert.core.choices import Gender, IdType, SkillLevel
from skillcert.core.fields import EncryptedTextField
from skillcert.core.models import Organisation, User
from skillcert.core.scoping import Scope, ScopedManager
from skillcert.institutions.choices import (
    FILING_EDITABLE,
    FILING_TERMINAL,
    SCHOOL_TYPES,
    DirectoryNoticeKind,
    DirectoryStatus,
    FilingKind,
    FilingStatus,
    InstitutionCategory,
    InstitutionType,
    ItemBankSource,
    MaterialKind,
    StaffKind,
)

_INSTITUTION_SCOPE = Scope(
    province="institution__organisation__province_id",
    city="institution__organisation__city_id",
    institution="institution__organisation_id",
)


def _level_field(label: StrOrPromise) -> models.PositiveSmallIntegerField[int, int]:
    return models.PositiveSmallIntegerField(label, choices=SkillLevel.choices)


class Institution(models.Model):
    """An evaluation institution (评价机构): an organisation of kind INSTITUTION with its file."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="institution"
    )
    type = models.CharField(_("机构类型"), max_length=32, choices=InstitutionType.choices)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    # 属地监管: the city centre (or provincial centre) that receives its filings.
    supervisor = models.ForeignKey(
        Organisation,
        verbose_name=_("属地主管部门"),
        on_delete=models.PROTECT,
        related_name="supervised_institutions",
    )
    address = models.CharField(_("地址"), max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=64)
    contact_phone = EncryptedTextField(_("联系电话"), kind="phone")
    website = models.URLField(_("网址"), blank=True)
    status = models.CharField(
        _("目录状态"),
        max_length=16,
        choices=DirectoryStatus.choices,
        default=DirectoryStatus.UNFILED,
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    # Certificate-number parts (人社鉴发〔2019〕2号): positions 2–5 and 8–13.
    ministry_code = models.CharField(
        _("机构代码（人社部分配，省级备案为0000）"),
        max_length=4,
        default="0000",
        validators=[RegexValidator(r"^\d{4}$")],
    )
    site_serial = models.CharField(
        _("站点序列码"), max_length=6, blank=True, validators=[RegexValidator(r"^\d{6}$")]
    )
    # Positions 6–7: the province that assigned ``site_serial``; serials are per province.
    site_province = models.CharField(
        _("站点所在省级代码"), max_length=2, blank=True, validators=[RegexValidator(r"^\d{2}$")]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = Scope(
        province="organisation__province_id",
        city="organisation__city_id",
        institution="organisation_id",
    )
    objects = ScopedManager["Institution"]()

    class Meta:
        ordering = ["organisation__province_id", "organisation__city_id", "organisation__name"]
        verbose_name = _("评价机构")
        verbose_name_plural = _("评价机构")
        constraints = [
            models.UniqueConstraint(
                fields=["site_province", "site_serial"],
                condition=~models.Q(site_serial=""),
                name="institution_unique_site_serial",
            )
        ]

    def __str__(self) -> str:
        return self.organisation.name

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def category(self) -> str:
        """Schools and enterprises are employer-type (Y); social organisations are S."""
        if self.type == InstitutionType.SOCIAL_ORGANISATION:
            return InstitutionCategory.SOCIAL
        return InstitutionCategory.EMPLOYER

    @property
    def is_school(self) -> bool:
        return self.type in SCHOOL_TYPES

    @property
    def certificate_prefix_parts(self) -> tuple[str, str, str, str]:
        """(category, ministry code, province code, site serial) for positions 1–13."""
        return (
            self.category,
            self.ministry_code,
            self.site_province or self.organisation.province_id[:2],
            self.site_serial,
        )


class Site(models.Model):
    """A place where evaluations happen, with coordinates for geofenced check-ins."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("场地名称"), max_length=128)
    address = models.CharField(_("地址"), max_length=200)
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    radius_m = models.PositiveIntegerField(_("定位打卡半径（米）"), default=300)
    capacity = models.PositiveIntegerField(_("容纳人数"), default=0)
    has_video_monitoring = models.BooleanField(_("视频监控"), default=False)
    # The venue's own outgoing networks (CIDR, e.g. "203.0.113.0/28"): a computer room
    # behind one address is expected there, so the shared-address warning skips them.
    network_addresses = models.JSONField(_("考点网络出口地址段"), default=list, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    scope: ClassVar[Scope] = _INSTITUTION_SCOPE
    objects = ScopedManager["Site"]()

    class Meta:
        ordering = ["institution_id", "name"]
        verbose_name = _("评价场地")
        verbose_name_plural = _("评价场地")

    def __str__(self) -> str:
        return self.name


class StaffMember(models.Model):
    """A person in the institution's staff registry; ID numbers are encrypted."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="staff")
    kind = models.CharField(_("人员类别"), max_length=16, choices=StaffKind.choices)
    full_name = models.CharField(_("姓名"), max_length=64)
    id_type = models.CharField(_("证件类型"), max_length=32, choices=IdType.choices)
    id_number = EncryptedTextField(_("证件号码"), kind="id")
    id_number_index = models.CharField(max_length=64, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = EncryptedTextField(_("手机号码"), kind="phone", blank=True, default="")
    title = models.CharField(_("职务/职称"), max_length=64, blank=True)
    skill_level = models.PositiveSmallIntegerField(
        _("技能等级"), choices=SkillLevel.choices, null=True, blank=True
    )
    education = models.CharField(_("学历"), max_length=32, blank=True)
    employer = models.CharField(_("工作单位"), max_length=128, blank=True)
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="staff_records"
    )
    is_active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = Scope(
        province="institution__organisation__province_id",
        city="institution__organisation__city_id",
        institution="institution__organisation_id",
        person="user_id",
    )
    objects = ScopedManager["StaffMember"]()

    class Meta:
        ordering = ["institution_id", "kind", "full_name"]
        verbose_name = _("机构人员")
        verbose_name_plural = _("机构人员")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "kind", "id_number_index"], name="staff_unique_person_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.get_kind_display()}）"


class ExaminerQualification(models.Model):
    """An occupation (work type) an examiner may assess, up to ``highest_level``."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="qualifications")
    occupation = models.ForeignKey(Occupation, on_delete=models.PROTECT, related_name="+")
    work_type = models.ForeignKey(
        WorkType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Levels count down: highest_level 3 means levels 5, 4 and 3.
    highest_level = _level_field(_("可考评的最高等级"))

    class Meta:
        verbose_name = _("考评资格")
        verbose_name_plural = _("考评资格")
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "occupation", "work_type"], name="qualification_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff.full_name} · {self.occupation.name}"


class FilingApplication(models.Model):
    """An application to file, add scope or renew (DESIGN.md lifecycle step 1)."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="filing_applications"
    )
    kind = models.CharField(_("申请类型"), max_length=16, choices=FilingKind.choices)
    status = models.CharField(
        _("状态"), max_length=20, choices=FilingStatus.choices, default=FilingStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # 川人社办发〔2020〕20号 附件3: accept or return within N working days of submission.
    decision_due = models.DateField(_("受理决定期限"), null=True, blank=True)
    decision_due_provisional = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    returned_reason = models.TextField(_("退回原因"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.TextField(_("决定意见"), blank=True)
    filing = models.ForeignKey(
        "Filing",
        verbose_name=_("备案"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = _INSTITUTION_SCOPE
    objects = ScopedManager["FilingApplication"]()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("备案申请")
        verbose_name_plural = _("备案申请")
        constraints = [
            # One application in progress per institution (drafts and returned ones count).
            models.UniqueConstraint(
                fields=["institution"],
                condition=~models.Q(status__in=sorted(FILING_TERMINAL)),
                name="filing_application_one_in_progress",
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution.name} · {self.get_kind_display()} · {self.get_status_display()}"

    @property
    def is_editable(self) -> bool:
        return self.status in FILING_EDITABLE


class FilingScopeLine(models.Model):
    """One requested line: occupation (work type) × levels × standard × item bank."""

    application = models.ForeignKey(
        FilingApplication, on_delete=models.CASCADE, related_name="scope_lines"
    )
    occupation = models.ForeignKey(Occupation, on_delete=models.PROTECT, related_name="+")
    work_type = models.ForeignKey(
        WorkType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    # Levels count down: lowest_level 5 … highest_level 3 means levels 5, 4, 3.
    lowest_level = _level_field(_("起始等级"))
    highest_level = _level_field(_("最高等级"))
    item_bank_source = models.CharField(
        _("命题资源"), max_length=16, choices=ItemBankSource.choices
    )

    class Meta:
        verbose_name = _("申请职业（工种）")
        verbose_name_plural = _("申请职业（工种）")

    def __str__(self) -> str:
        return f"{self.occupation.name} {self.lowest_level}–{self.highest_level}"

    def clean(self) -> None:
        if self.highest_level and self.lowest_level and self.highest_level > self.lowest_level:
            raise ValidationError(_("最高等级不能低于起始等级。"))


class FilingMaterial(models.Model):
    """An uploaded material (附件2), checked by content type and size, stored privately."""

    application = models.ForeignKey(
        FilingApplication, on_delete=models.CASCADE, related_name="materials"
    )
    kind = models.CharField(_("材料类型"), max_length=32, choices=MaterialKind.choices)
    file = models.FileField(_("文件"), upload_to="filing-materials/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by_label = models.CharField(max_length=128)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application_id", "kind", "uploaded_at"]
        verbose_name = _("备案材料")
        verbose_name_plural = _("备案材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name}"


class ExpertOpinion(models.Model):
    """One expert's opinion and score in the technical assessment (专家技术评估)."""

    application = models.ForeignKey(
        FilingApplication, on_delete=models.CASCADE, related_name="expert_opinions"
    )
    expert = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    expert_label = models.CharField(max_length=128)
    score = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    recommends_approval = models.BooleanField(_("同意备案"))
    opinion = models.TextField(_("评估意见"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application_id", "created_at"]
        verbose_name = _("专家评估意见")
        verbose_name_plural = _("专家评估意见")
        constraints = [
            models.UniqueConstraint(fields=["application", "expert"], name="opinion_one_per_expert")
        ]

    def __str__(self) -> str:
        return f"{self.expert_label} {self.score}"


class OnsiteCheck(models.Model):
    """The on-site check record (现场考察) of an assessment."""

    application = models.ForeignKey(
        FilingApplication, on_delete=models.CASCADE, related_name="onsite_checks"
    )
    checked_on = models.DateField(_("考察日期"))
    inspectors = models.CharField(_("考察人员"), max_length=200)
    findings = models.TextField(_("考察情况"))
    passed = models.BooleanField(_("考察通过"))
    recorded_by_label = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application_id", "checked_on"]
        verbose_name = _("现场考察记录")
        verbose_name_plural = _("现场考察记录")

    def __str__(self) -> str:
        return f"{self.checked_on} {self.inspectors}"


class Filing(models.Model):
    """The filing receipt (备案回执): number, validity and the scope it grants."""

    institution = models.OneToOneField(Institution, on_delete=models.PROTECT, related_name="filing")
    filing_number = models.CharField(_("备案编号"), max_length=32, unique=True)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(_("有效期至"))
    issued_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = _INSTITUTION_SCOPE
    objects = ScopedManager["Filing"]()
    # Set by selectors.public_directory (a prefetch of the active entries).
    public_entries: list[ScopeEntry]

    class Meta:
        verbose_name = _("备案回执")
        verbose_name_plural = _("备案回执")

    def __str__(self) -> str:
        return self.filing_number


class ScopeEntry(models.Model):
    """A granted line of scope: what the institution may evaluate, at which levels."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="entries")
    occupation = models.ForeignKey(Occupation, on_delete=models.PROTECT, related_name="+")
    work_type = models.ForeignKey(
        WorkType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="+")
    lowest_level = _level_field(_("起始等级"))
    highest_level = _level_field(_("最高等级"))
    granted_by = models.ForeignKey(
        FilingApplication, on_delete=models.PROTECT, related_name="granted_entries"
    )
    granted_on = models.DateField(_("备案日期"))
    is_active = models.BooleanField(_("有效"), default=True)

    class Meta:
        ordering = ["filing_id", "occupation__code"]
        verbose_name = _("备案职业（工种）")
        verbose_name_plural = _("备案职业（工种）")

    def __str__(self) -> str:
        return f"{self.occupation.name} {self.lowest_level}–{self.highest_level}"

    def covers(self, level: int) -> bool:
        return self.highest_level <= level <= self.lowest_level


class DirectoryNotice(models.Model):
    """A public notice about an institution's place in the directory."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("公告类型"), max_length=16, choices=DirectoryNoticeKind.choices)
    text = models.TextField(_("公告内容"))
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("目录公告")
        verbose_name_plural = _("目录公告")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.institution.name}"


class SerialCounter(models.Model):
    """The last number handed out for one key (a filing-number prefix, a province's site
    serials). Read and bumped under ``SELECT … FOR UPDATE`` by ``institutions.numbering``."""

    key = models.CharField(max_length=32, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")

    def __str__(self) -> str:
        return f"{self.key}={self.last_value}"
