"""Kinds and states of institutions and their filings (DESIGN.md lifecycle step 1)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionType(models.TextChoices):
    """What the institution is; the certificate category letter follows from it."""

    TECHNICAL_SCHOOL = "technical_school", _("技工院校")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("中等职业学校")
    HIGHER_VOCATIONAL = "higher_vocational", _("高等职业学校")
    VOCATIONAL_UNDERGRADUATE = "vocational_undergraduate", _("职业本科学校")
    UNDERGRADUATE = "undergraduate", _("普通本科院校")
    ENTERPRISE = "enterprise", _("企业")
    SOCIAL_ORGANISATION = "social_organisation", _("社会培训评价组织")


SCHOOL_TYPES = frozenset(
    {
        InstitutionType.TECHNICAL_SCHOOL,
        InstitutionType.SECONDARY_VOCATIONAL,
        InstitutionType.HIGHER_VOCATIONAL,
        InstitutionType.VOCATIONAL_UNDERGRADUATE,
        InstitutionType.UNDERGRADUATE,
    }
)


class InstitutionCategory(models.TextChoices):
    """Position 1 of the certificate number (人社鉴发〔2019〕2号)."""

    EMPLOYER = "Y", _("用人单位类评价机构")
    SOCIAL = "S", _("社会培训评价组织")


class DirectoryStatus(models.TextChoices):
    """Where the institution stands in the public directory (目录管理)."""

    UNFILED = "unfiled", _("未备案")  # never approved: not in the directory
    ACTIVE = "active", _("正常")  # approved and within validity: listed
    SUSPENDED = "suspended", _("暂停（整改中）")  # listed as suspended, may not evaluate
    REVOKED = "revoked", _("已取消备案")  # removed, with a public notice
    EXPIRED = "expired", _("备案已过期")  # validity ran out without renewal


class FilingKind(models.TextChoices):
    INITIAL = "initial", _("首次备案")
    ADDITION = "addition", _("增加职业（工种）")
    RENEWAL = "renewal", _("延续备案")


class FilingStatus(models.TextChoices):
    """The filing application's states (川人社办发〔2020〕20号 附件3)."""

    DRAFT = "draft", _("草稿")  # the institution is preparing it
    SUBMITTED = "submitted", _("已提交")  # waiting for the acceptance decision
    RETURNED = "returned", _("已退回")  # not accepted; the institution may edit and resubmit
    ACCEPTED = "accepted", _("已受理")  # accepted; the expert assessment comes next
    UNDER_ASSESSMENT = "under_assessment", _("评估中")  # expert panel and on-site check
    APPROVED = "approved", _("已备案")  # receipt issued, scope published
    REFUSED = "refused", _("不予备案")  # final refusal


FILING_EDITABLE = frozenset({FilingStatus.DRAFT, FilingStatus.RETURNED})
FILING_TERMINAL = frozenset({FilingStatus.APPROVED, FilingStatus.REFUSED})
FILING_OPEN = frozenset(
    {FilingStatus.SUBMITTED, FilingStatus.ACCEPTED, FilingStatus.UNDER_ASSESSMENT}
)


class StaffKind(models.TextChoices):
    """The staff registry's kinds (川人社办发〔2020〕20号 附件1, 附件2)."""

    STAFF = "staff", _("专职工作人员")
    EXPERT = "expert", _("专家")
    EXAMINER = "examiner", _("考评人员")
    SUPERVISOR = "supervisor", _("内部质量督导人员")


class ItemBankSource(models.TextChoices):
    """命题资源 per scope line (川人社办发〔2020〕20号 附件2 备案申请表)."""

    NATIONAL = "national", _("国家题库")
    PROVINCIAL = "provincial", _("省级题库")
    OWN = "own", _("自主开发题库（与标准相符）")


class MaterialKind(models.TextChoices):
    """Materials of 川人社办发〔2020〕20号 附件2."""

    APPLICATION_FORM = "application_form", _("备案申请表")
    LEGAL_REGISTRATION = "legal_registration", _("法人登记证书")
    EVALUATION_BASIS = "evaluation_basis", _("职业编码及评价依据")
    ITEM_BANK = "item_bank", _("题库建设情况")
    SITES_EQUIPMENT = "sites_equipment", _("场地设备证明")
    STAFF_QUALIFICATIONS = "staff_qualifications", _("人员名单及资质证明")
    RULES = "rules", _("考务管理与质量管控制度")
    IMPLEMENTATION_PLAN = "implementation_plan", _("实施方案")


REQUIRED_MATERIALS = tuple(MaterialKind)

# What each kind of application must carry. A first filing needs all of 附件2. An addition
# documents only the new occupations: basis, item bank, sites and equipment, examiners.
# A renewal re-confirms the institution (registration, staff, rules); Fujian practice
# (闽劳鉴〔2022〕26号) asks for a form showing 规范开展、信用良好.
REQUIRED_MATERIALS_BY_KIND: dict[str, tuple[MaterialKind, ...]] = {
    FilingKind.INITIAL: REQUIRED_MATERIALS,
    FilingKind.ADDITION: (
        MaterialKind.APPLICATION_FORM,
        MaterialKind.EVALUATION_BASIS,
        MaterialKind.ITEM_BANK,
        MaterialKind.SITES_EQUIPMENT,
        MaterialKind.STAFF_QUALIFICATIONS,
    ),
    FilingKind.RENEWAL: (
        MaterialKind.APPLICATION_FORM,
        MaterialKind.LEGAL_REGISTRATION,
        MaterialKind.STAFF_QUALIFICATIONS,
        MaterialKind.RULES,
    ),
}


class DirectoryNoticeKind(models.TextChoices):
    LISTED = "listed", _("备案公告")
    SCOPE_ADDED = "scope_added", _("增加职业（工种）公告")
    RENEWED = "renewed", _("延续备案公告")
    SUSPENDED = "suspended", _("暂停评价公告")
    REINSTATED = "reinstated", _("恢复评价公告")
    REVOKED = "revoked", _("取消备案公告")
    EXPIRED = "expired", _("备案到期公告")
