"""Persons, their records, applications to batches, evidence, pledges and spot checks.

A ``Person`` is one real person, found by the blind index of their ID number; the
records (education, student status, work history, certificates held) feed the
eligibility engine.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from skillcert.batches.models import Batch, Session
from skillcert.catalog.choices import EducationLevel, SchoolType
from skillcert.catalog.models import Occupation, WorkType
from skillcert.core.choices import Gender, IdType, SkillLevel
from skillcert.core.fields import EncryptedTextField
from skillcert.core.models import Organisation, User
from skillcert.core.scoping import Scope, ScopedManager
from skillcert.enrollment.choices import (
    ApplicationStatus,
    EvidenceKind,
    RecordSource,
    SpotCheckResult,
    StudentState,
)

_APPLICANT = "applications__batch__institution__organisation"
# A person is seen by the institutions they applied to, those institutions' authorities,
# and themself.
_PERSON_SCOPE = Scope(
    province=f"{_APPLICANT}__province_id",
    city=f"{_APPLICANT}__city_id",
    institution=f"{_APPLICANT}_id",
    person="user_id",
)


def _via_person(scope: Scope) -> Scope:
    return Scope(
        province=f"person__{scope.province}",
        city=f"person__{scope.city}",
        institution=f"person__{scope.institution}",
        person=f"person__{scope.person}",
    )


class Person(models.Model):
    """One real person; the ID number is encrypted with a blind index for look-up."""

    full_name = models.CharField(_("姓名"), max_length=64)
    id_type = models.CharField(_("证件类型"), max_length=32, choices=IdType.choices)
    id_number = EncryptedTextField(_("证件号码"), kind="id")
    id_number_index = models.CharField(max_length=64, unique=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = EncryptedTextField(_("手机号码"), kind="phone", blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", db_index=True)
    education_level = models.PositiveSmallIntegerField(
        _("文化程度"), choices=EducationLevel.choices, null=True, blank=True
    )
    # 户籍: one of the facts the authority spot-checks (云人社函〔2023〕1号 二(一)).
    household_registration = models.CharField(
        _("户籍所在地"), max_length=128, blank=True, default=""
    )
    photo = models.ImageField(_("证件照"), upload_to="photos/%Y/%m/", blank=True)
    user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="person"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = _PERSON_SCOPE
    objects = ScopedManager["Person"]()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")

    def __str__(self) -> str:
        return f"{self.full_name}（{self.id_number}）"


class EducationRecord(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="education")
    school = models.CharField(_("毕业院校"), max_length=128)
    school_type = models.CharField(
        _("院校类型"), max_length=32, choices=SchoolType.choices, blank=True
    )
    education_level = models.PositiveSmallIntegerField(_("学历"), choices=EducationLevel.choices)
    major = models.CharField(_("专业"), max_length=128)
    major_code = models.CharField(_("专业代码"), max_length=16, blank=True)
    # 本专业或相关专业: declared by the candidate, checked by the institution's review
    # against the standard's list of related majors (the catalogue does not hold it).
    related_major = models.BooleanField(_("本专业或相关专业"), default=False)
    graduated_on = models.DateField(_("毕业时间"), null=True, blank=True)
    diploma_number = models.CharField(_("毕业证书编号"), max_length=64, blank=True)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by_label = models.CharField(max_length=128, blank=True)
    source = models.CharField(
        max_length=16, choices=RecordSource.choices, default=RecordSource.DECLARED
    )

    scope: ClassVar[Scope] = _via_person(_PERSON_SCOPE)
    objects = ScopedManager["EducationRecord"]()

    class Meta:
        ordering = ["person_id", "-graduated_on"]
        verbose_name = _("学历")
        verbose_name_plural = _("学历")

    def __str__(self) -> str:
        return f"{self.school} {self.major}"


class StudentStatus(models.Model):
    """学籍: a student at a school; graduating-year students may sit before the diploma."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="student_statuses")
    school = models.CharField(_("学校"), max_length=128)
    school_type = models.CharField(
        _("院校类型"), max_length=32, choices=SchoolType.choices, blank=True
    )
    major = models.CharField(_("专业"), max_length=128)
    major_code = models.CharField(_("专业代码"), max_length=16, blank=True)
    related_major = models.BooleanField(_("本专业或相关专业"), default=False)
    enrollment_year = models.PositiveSmallIntegerField(_("入学年份"))
    graduation_year = models.PositiveSmallIntegerField(_("毕业年份"))
    student_number = models.CharField(_("学号"), max_length=32, blank=True)
    state = models.CharField(
        _("学籍状态"), max_length=16, choices=StudentState.choices, default=StudentState.ENROLLED
    )
    source = models.CharField(
        max_length=16, choices=RecordSource.choices, default=RecordSource.DECLARED
    )

    scope: ClassVar[Scope] = _via_person(_PERSON_SCOPE)
    objects = ScopedManager["StudentStatus"]()

    class Meta:
        ordering = ["person_id", "-graduation_year"]
        verbose_name = _("学籍")
        verbose_name_plural = _("学籍")

    def __str__(self) -> str:
        return f"{self.school} {self.major} {self.graduation_year}"


class WorkRecord(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="work_history")
    employer = models.CharField(_("工作单位"), max_length=128)
    job_title = models.CharField(_("岗位（工种）"), max_length=128)
    occupation = models.ForeignKey(
        Occupation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    related = models.BooleanField(_("从事本职业或相关职业"), default=True)
    started_on = models.DateField(_("起始时间"))
    ended_on = models.DateField(_("结束时间"), null=True, blank=True)

    scope: ClassVar[Scope] = _via_person(_PERSON_SCOPE)
    objects = ScopedManager["WorkRecord"]()

    class Meta:
        ordering = ["person_id", "started_on"]
        verbose_name = _("工作经历")
        verbose_name_plural = _("工作经历")

    def __str__(self) -> str:
        return f"{self.employer} {self.job_title}"


class HeldCertificate(models.Model):
    """A certificate the person holds: issued here, or declared with evidence."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="certificates_held")
    occupation = models.ForeignKey(Occupation, on_delete=models.PROTECT, related_name="+")
    work_type = models.ForeignKey(
        WorkType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("等级"), choices=SkillLevel.choices)
    number = models.CharField(_("证书编号"), max_length=32)
    issued_on = models.DateField(_("发证日期"))
    issuer = models.CharField(_("发证机构"), max_length=128)
    source = models.CharField(
        max_length=16, choices=RecordSource.choices, default=RecordSource.DECLARED
    )

    scope: ClassVar[Scope] = _via_person(_PERSON_SCOPE)
    objects = ScopedManager["HeldCertificate"]()

    class Meta:
        ordering = ["person_id", "-issued_on"]
        verbose_name = _("已获证书")
        verbose_name_plural = _("已获证书")

    def __str__(self) -> str:
        return f"{self.number} {self.get_level_display()}"


class RegistryImport(models.Model):
    """One Excel file of student records shared by an education department."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200)
    rows = models.PositiveIntegerField(default=0)
    imported_by_label = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = Scope(
        province="organisation__province_id",
        city="organisation__city_id",
        institution=None,
    )
    objects = ScopedManager["RegistryImport"]()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("学籍数据导入")
        verbose_name_plural = _("学籍数据导入")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.rows})"


class StudentRegistryRecord(models.Model):
    """A student as the education department's registry has them (云人社通〔2023〕23号)."""

    source = models.ForeignKey(RegistryImport, on_delete=models.CASCADE, related_name="records")
    id_number_index = models.CharField(max_length=64, db_index=True)
    full_name = models.CharField(_("姓名"), max_length=64)
    school = models.CharField(_("学校"), max_length=128)
    major = models.CharField(_("专业"), max_length=128)
    major_code = models.CharField(_("专业代码"), max_length=16, blank=True)
    enrollment_year = models.PositiveSmallIntegerField(_("入学年份"))
    graduation_year = models.PositiveSmallIntegerField(_("毕业年份"))
    student_number = models.CharField(_("学号"), max_length=32, blank=True)
    state = models.CharField(_("学籍状态"), max_length=16, choices=StudentState.choices)

    scope: ClassVar[Scope] = Scope(
        province="source__organisation__province_id", city="source__organisation__city_id"
    )
    objects = ScopedManager["StudentRegistryRecord"]()

    class Meta:
        verbose_name = _("学籍数据")
        verbose_name_plural = _("学籍数据")

    def __str__(self) -> str:
        return f"{self.full_name} {self.school}"


class Application(models.Model):
    """A person's application to a batch (申报表), reviewed by the institution."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="applications")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(
        _("状态"), max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    # The 申报表's own fields, as declared on the form.
    employer = models.CharField(_("工作单位"), max_length=128, blank=True)
    current_job = models.CharField(_("现从事职业（工种）"), max_length=128, blank=True)
    work_years = models.PositiveSmallIntegerField(_("从事本职业或相关职业年限"), default=0)
    # The route the candidate declares (index into the standard level's routes) and what
    # the eligibility engine found for every route when it last ran.
    declared_route = models.PositiveSmallIntegerField(_("申报条件"), null=True, blank=True)
    eligibility = models.JSONField(_("资格核验结果"), default=list, blank=True)
    eligible = models.BooleanField(_("符合申报条件"), default=False)
    eligibility_checked_on = models.DateField(_("资格核验日期"), null=True, blank=True)
    # Truthfulness pledge (云人社函〔2023〕1号 二(一)): when, from where, which text.
    pledge_signed_at = models.DateTimeField(_("承诺时间"), null=True, blank=True)
    pledge_client_address = models.GenericIPAddressField(_("承诺终端地址"), null=True, blank=True)
    pledge_text_sha256 = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by_label = models.CharField(max_length=128, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    admission_number = models.CharField(
        _("准考证号"), max_length=32, null=True, blank=True, unique=True
    )
    # A graduating-year student without a diploma sits the exam; the certificate waits
    # until the diploma is verified (云人社通〔2023〕23号).
    diploma_pending = models.BooleanField(_("待核验毕业证书"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = Scope(
        province="batch__institution__organisation__province_id",
        city="batch__institution__organisation__city_id",
        institution="batch__institution__organisation_id",
        person="person__user_id",
    )
    objects = ScopedManager["Application"]()

    class Meta:
        ordering = ["batch_id", "created_at"]
        verbose_name = _("报名申请")
        verbose_name_plural = _("报名申请")
        constraints = [
            models.UniqueConstraint(fields=["person", "batch"], name="application_one_per_batch")
        ]

    def __str__(self) -> str:
        return f"{self.person.full_name} · {self.batch.code}"


_APPLICATION_SCOPE = Scope(
    province="application__batch__institution__organisation__province_id",
    city="application__batch__institution__organisation__city_id",
    institution="application__batch__institution__organisation_id",
    person="application__person__user_id",
)


class Evidence(models.Model):
    """A supporting document, checked by content type and size, stored privately."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("材料类型"), max_length=16, choices=EvidenceKind.choices)
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by_label = models.CharField(max_length=128, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = _APPLICATION_SCOPE
    objects = ScopedManager["Evidence"]()

    class Meta:
        ordering = ["application_id", "kind"]
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"


class SeatAssignment(models.Model):
    """A candidate's seat in a session (准考证, 签到表)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="seats")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="seats")
    seat_number = models.PositiveSmallIntegerField(_("座位号"))

    scope: ClassVar[Scope] = _APPLICATION_SCOPE
    objects = ScopedManager["SeatAssignment"]()

    class Meta:
        ordering = ["session_id", "seat_number"]
        verbose_name = _("座位")
        verbose_name_plural = _("座位")
        constraints = [
            models.UniqueConstraint(fields=["session", "seat_number"], name="seat_unique"),
            models.UniqueConstraint(fields=["session", "application"], name="seat_one_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.session} #{self.seat_number}"


class SpotCheckDraw(models.Model):
    """A random sample of a batch's applications for the authority to verify.

    The seed and the ordered population are recorded so the draw can be replayed.
    """

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="spot_check_draws")
    share_percent = models.DecimalField(_("抽查比例%"), max_digits=5, decimal_places=2)
    seed = models.CharField(max_length=64)
    population = models.JSONField(default=list)
    selected = models.JSONField(default=list)
    drawn_by_label = models.CharField(max_length=128)
    drawn_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope: ClassVar[Scope] = Scope(
        province="batch__institution__organisation__province_id",
        city="batch__institution__organisation__city_id",
    )
    objects = ScopedManager["SpotCheckDraw"]()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("抽查")
        verbose_name_plural = _("抽查")

    def __str__(self) -> str:
        return f"{self.batch.code} {self.share_percent}%"


class SpotCheck(models.Model):
    draw = models.ForeignKey(SpotCheckDraw, on_delete=models.CASCADE, related_name="checks")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="spot_checks"
    )
    result = models.CharField(
        _("核查结果"),
        max_length=16,
        choices=SpotCheckResult.choices,
        default=SpotCheckResult.PENDING,
    )
    note = models.TextField(_("核查说明"), blank=True)
    checked_by_label = models.CharField(max_length=128, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    scope: ClassVar[Scope] = Scope(
        province="draw__batch__institution__organisation__province_id",
        city="draw__batch__institution__organisation__city_id",
    )
    objects = ScopedManager["SpotCheck"]()

    class Meta:
        verbose_name = _("抽查记录")
        verbose_name_plural = _("抽查记录")
        constraints = [
            models.UniqueConstraint(fields=["draw", "application"], name="spotcheck_unique")
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.get_result_display()}"
