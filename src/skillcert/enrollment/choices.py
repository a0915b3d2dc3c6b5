"""States and kinds of candidates' applications (DESIGN.md lifecycle step 3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")  # the candidate (or the roster import) is preparing it
    SUBMITTED = "submitted", _("待审核")  # pledge signed, waiting for the institution
    MORE_INFO = "more_info", _("需补充材料")  # the institution asked for more
    APPROVED = "approved", _("审核通过")  # admission number assigned
    REJECTED = "rejected", _("审核不通过")  # with a reason
    WITHDRAWN = "withdrawn", _("已撤回")


APPLICATION_EDITABLE = frozenset({ApplicationStatus.DRAFT, ApplicationStatus.MORE_INFO})
APPLICATION_REVIEWABLE = frozenset({ApplicationStatus.SUBMITTED})
# Applications that take part in the batch: the authority's spot checks draw from them.
APPLICATION_IN_PLAY = frozenset({ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED})
APPLICATION_WITHDRAWABLE = frozenset(
    {ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO}
)


class ReviewDecision(models.TextChoices):
    """The institution's review decisions (云人社函〔2023〕1号 二(一))."""

    APPROVE = "approve", _("审核通过")
    REJECT = "reject", _("审核不通过")
    MORE_INFO = "more_info", _("要求补充材料")


class StudentState(models.TextChoices):
    ENROLLED = "enrolled", _("在读")
    GRADUATED = "graduated", _("已毕业")
    SUSPENDED = "suspended", _("休学")
    WITHDRAWN = "withdrawn", _("退学")


class RecordSource(models.TextChoices):
    DECLARED = "declared", _("本人申报")
    REGISTRY = "registry", _("教育部门学籍数据")
    ISSUED_HERE = "issued_here", _("本平台颁发")


class EvidenceKind(models.TextChoices):
    """Supporting evidence of 云人社函〔2023〕1号 二(一)."""

    ID_DOCUMENT = "id_document", _("身份证件")
    PHOTO = "photo", _("证件照")
    DIPLOMA = "diploma", _("学历（学位）证书")
    STUDENT_PROOF = "student_proof", _("在校学籍证明")
    CERTIFICATE = "certificate", _("职业资格（技能等级）证书")
    WORK_PROOF = "work_proof", _("工作年限证明")
    APPRENTICESHIP = "apprenticeship", _("学徒期满证明")
    PREPARATORY_TECHNICIAN = "prep_technician", _("预备技师证书")
    OTHER = "other", _("其他材料")


class SpotCheckResult(models.TextChoices):
    PENDING = "pending", _("待核查")
    CONFIRMED = "confirmed", _("核查无误")
    PROBLEM = "problem", _("发现问题")
