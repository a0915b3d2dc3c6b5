"""Validation and normalisation of identity documents, phone numbers and credit codes."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from skillcert.core.choices import Gender, IdType

# 港澳居民来往内地通行证: H or M and 8 digits (2-digit reissue suffix on older cards).
_HK_MO_PERMIT = re.compile(r"^[HM]\d{8}(\d{2})?$")
# 台湾居民来往大陆通行证: 8 digits (older cards add a 2-digit suffix).
_TW_PERMIT = re.compile(r"^\d{8}(\d{2})?$")
# Ordinary passports: a letter or two and 7-8 digits (China E/G), or other countries' 5-17 alnum.
_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")
# 外国人永久居留身份证 (2023 format): 18 characters starting with 9, ric-style check digit.
_FOREIGN_PERMANENT = re.compile(r"^9\d{16}[\dX]$")
# 港澳台居民居住证: 18-digit ric numbers whose area code is 810000, 820000 or 830000.
_HMT_PREFIXES = ("810000", "820000", "830000")
# Mainland mobile numbers (11 digits from 13x to 19x); landlines with area code.
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


@dataclass(frozen=True)
class IdentityFacts:
    """What a valid ID number tells: its normal form, and birth date and gender when coded."""

    number: str
    birth_date: datetime.date | None = None
    gender: str = ""


def normalise_id(id_type: str, number: str) -> str:
    return re.sub(r"[\s-]", "", number).upper()


def validate_id(id_type: str, number: str) -> IdentityFacts:
    """Validate and normalise; raises ``ValidationError`` with a message in the user's language."""
    value = normalise_id(id_type, number)
    if not value:
        raise ValidationError(_("请填写证件号码。"), code="required")
    if id_type in (IdType.RESIDENT, IdType.HMT_RESIDENCE):
        return _validate_ric(id_type, value)
    if id_type == IdType.FOREIGN_PERMANENT:
        if not _FOREIGN_PERMANENT.match(value) or not _ric_checksum_ok(value):
            raise ValidationError(_("外国人永久居留身份证号码格式不正确。"), code="invalid")
        return IdentityFacts(value)
    patterns = {
        IdType.PASSPORT: (_PASSPORT, _("护照号码格式不正确。")),
        IdType.HK_MO_PERMIT: (_HK_MO_PERMIT, _("港澳居民来往内地通行证号码格式不正确。")),
        IdType.TW_PERMIT: (_TW_PERMIT, _("台湾居民来往大陆通行证号码格式不正确。")),
    }
    if id_type not in patterns:
        raise ValidationError(_("不支持的证件类型。"), code="invalid_type")
    pattern, message = patterns[IdType(id_type)]
    if not pattern.match(value):
        raise ValidationError(message, code="invalid")
    return IdentityFacts(value)


def _validate_ric(id_type: str, value: str) -> IdentityFacts:
    if re.fullmatch(r"\d{15}", value):
        raise ValidationError(_("请使用18位身份证号码。"), code="invalid")
    is_hmt = value.startswith(_HMT_PREFIXES)
    if id_type == IdType.HMT_RESIDENCE and not is_hmt:
        raise ValidationError(
            _("港澳台居民居住证号码应以810000、820000或830000开头。"), code="invalid"
        )
    if id_type == IdType.RESIDENT and is_hmt:
        raise ValidationError(_("这是港澳台居民居住证号码，请选择对应的证件类型。"), code="invalid")
    try:
        # stdnum's area table has no 81/82/83 codes, so permits check format, date and digit only.
        if is_hmt:
            if not re.fullmatch(r"\d{17}[\dX]", value) or not _ric_checksum_ok(value):
                raise StdnumError()
            birth_date = ric.get_birth_date(value)
        else:
            value = ric.validate(value)
            birth_date = ric.get_birth_date(value)
    except StdnumError as exc:
        raise ValidationError(
            _("身份证号码不正确（位数、出生日期、地区码或校验位有误）。"), code="invalid"
        ) from exc
    # The 17th digit is odd for men and even for women (GB 11643-1999).
    gender = Gender.MALE if int(value[16]) % 2 else Gender.FEMALE
    return IdentityFacts(value, birth_date, gender)


def _ric_checksum_ok(value: str) -> bool:
    return ric.calc_check_digit(value) == value[17]  # stdnum ignores the last character


def normalise_phone(number: str) -> str:
    value = re.sub(r"[\s()]", "", number)
    if value.startswith("+86"):
        value = value[3:]
    return value


def validate_phone(number: str) -> str:
    value = normalise_phone(number)
    if _MOBILE.match(value) or _LANDLINE.match(value):
        return value
    raise ValidationError(_("电话号码格式不正确（11位手机号或带区号的固定电话）。"), code="invalid")


def validate_uscc(code: str) -> str:
    """Unified social credit code (GB 32100-2015), check character included."""
    try:
        return str(uscc.validate(code))
    except StdnumError as exc:
        raise ValidationError(_("统一社会信用代码不正确。"), code="invalid") from exc
