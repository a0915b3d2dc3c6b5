"""Status and kind enums shared across SkillCert."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地市级")


class ScopeLevel(models.TextChoices):
    """How far an actor sees: province ⊃ city ⊃ institution ⊃ person."""

    PROVINCE = "province", _("全省")
    CITY = "city", _("本市")
    INSTITUTION = "institution", _("本机构")
    PERSON = "person", _("本人")


class OrganisationKind(models.TextChoices):
    PROVINCE_HR = "province_hr", _("省人力资源和社会保障厅")
    PROVINCE_CENTRE = "province_centre", _("省职业技能鉴定指导中心")
    PROVINCE_EDU = "province_edu", _("省教育厅")
    CITY_HR = "city_hr", _("市（州）人力资源和社会保障局")
    CITY_CENTRE = "city_centre", _("市（州）职业技能鉴定指导中心")
    CITY_EDU = "city_edu", _("市（州）教育局")
    INSTITUTION = "institution", _("评价机构")


PROVINCE_KINDS = frozenset(
    {OrganisationKind.PROVINCE_HR, OrganisationKind.PROVINCE_CENTRE, OrganisationKind.PROVINCE_EDU}
)
CITY_KINDS = frozenset(
    {OrganisationKind.CITY_HR, OrganisationKind.CITY_CENTRE, OrganisationKind.CITY_EDU}
)
EDUCATION_KINDS = frozenset({OrganisationKind.PROVINCE_EDU, OrganisationKind.CITY_EDU})
HR_KINDS = (PROVINCE_KINDS | CITY_KINDS) - EDUCATION_KINDS


class Role(models.TextChoices):
    """Roles of DESIGN.md "Who uses it"."""

    PROVINCE_OFFICIAL = "province_official", _("省级人社官员")
    CITY_OFFICIAL = "city_official", _("市级人社官员")
    EDUCATION_OFFICIAL = "education_official", _("教育部门官员")
    INSTITUTION_ADMIN = "institution_admin", _("机构管理员")
    EXAM_STAFF = "exam_staff", _("考务人员")
    EXAMINER = "examiner", _("考评员")
    EXPERT = "expert", _("专家")
    SUPERVISOR = "supervisor", _("督导员")
    CANDIDATE = "candidate", _("参评人员")


# Roles that act for their organisation; the others act for themselves.
ORGANISATION_ROLES = frozenset(
    {
        Role.PROVINCE_OFFICIAL,
        Role.CITY_OFFICIAL,
        Role.EDUCATION_OFFICIAL,
        Role.INSTITUTION_ADMIN,
        Role.EXAM_STAFF,
    }
)
OFFICIAL_ROLES = frozenset({Role.PROVINCE_OFFICIAL, Role.CITY_OFFICIAL, Role.EDUCATION_OFFICIAL})


class IdType(models.TextChoices):
    RESIDENT = "resident", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MO_PERMIT = "hk_mo_permit", _("港澳居民来往内地通行证")
    TW_PERMIT = "tw_permit", _("台湾居民来往大陆通行证")
    HMT_RESIDENCE = "hmt_residence", _("港澳台居民居住证")
    FOREIGN_PERMANENT = "foreign_permanent", _("外国人永久居留身份证")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class SkillLevel(models.IntegerChoices):
    """The five levels of 职业技能等级 (川人社办发〔2020〕20号 一): 5 is the lowest."""

    FIVE = 5, _("五级/初级工")
    FOUR = 4, _("四级/中级工")
    THREE = 3, _("三级/高级工")
    TWO = 2, _("二级/技师")
    ONE = 1, _("一级/高级技师")
