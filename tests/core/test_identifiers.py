"""Identity documents, phone numbers and unified social credit codes."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from stdnum.cn import ric, uscc

from skillcert.core.choices import Gender, IdType
from skillcert.core.identifiers import IdentityFacts, validate_id, validate_phone, validate_uscc

RIC_INVALID = "身份证号码不正确（位数、出生日期、地区码或校验位有误）。"
RIC_OLD_FORM = "请使用18位身份证号码。"
HMT_PREFIX = "港澳台居民居住证号码应以810000、820000或830000开头。"
FOREIGN_INVALID = "外国人永久居留身份证号码格式不正确。"
HK_MO_INVALID = "港澳居民来往内地通行证号码格式不正确。"
TW_INVALID = "台湾居民来往大陆通行证号码格式不正确。"
PASSPORT_INVALID = "护照号码格式不正确。"
PHONE_INVALID = "电话号码格式不正确（11位手机号或带区号的固定电话）。"
USCC_INVALID = "统一社会信用代码不正确。"


@pytest.fixture(autouse=True)
def _chinese() -> Iterator[None]:
    with translation.override("zh-hans"):
        yield


def _with_check(body17: str) -> str:
    """A GB 11643 check digit (stdnum's calc_check_digit ignores the last character)."""
    return body17 + ric.calc_check_digit(body17 + "0")


def _wrong_check(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def _refused(id_type: str, number: str) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        validate_id(id_type, number)
    return refused.value


# Kunming Wuhua district, born 1990-01-01; serial 001 is odd (male), check digit X.
RESIDENT = _with_check("53010219900101001")
RESIDENT_FEMALE = _with_check("53010219851231024")


# --- resident identity card ------------------------------------------------------------


def test_valid_resident_id_gives_birth_date_and_gender() -> None:
    assert RESIDENT == "53010219900101001X"
    assert validate_id(IdType.RESIDENT, RESIDENT) == IdentityFacts(
        RESIDENT, datetime.date(1990, 1, 1), Gender.MALE
    )
    assert validate_id(IdType.RESIDENT, RESIDENT_FEMALE) == IdentityFacts(
        RESIDENT_FEMALE, datetime.date(1985, 12, 31), Gender.FEMALE
    )


def test_resident_id_is_normalised() -> None:
    spaced = f" {RESIDENT[:6]} {RESIDENT[6:14]}-{RESIDENT[14:].lower()} "
    assert validate_id(IdType.RESIDENT, spaced).number == RESIDENT


@pytest.mark.parametrize(
    "number",
    [
        pytest.param(_wrong_check(RESIDENT), id="wrong-checksum"),
        pytest.param(_wrong_check(RESIDENT_FEMALE), id="wrong-checksum-digit"),
        pytest.param(_with_check("53010219901301001"), id="month-13"),
        pytest.param(_with_check("53010219900230001"), id="february-30"),
        pytest.param(_with_check("00000019900101001"), id="unknown-area"),
        pytest.param(RESIDENT[:-1], id="17-digits"),
        pytest.param(RESIDENT + "1", id="19-digits"),
        pytest.param("5301021990010100AX", id="letter-inside"),
    ],
)
def test_invalid_resident_id_is_refused(number: str) -> None:
    error = _refused(IdType.RESIDENT, number)
    assert error.messages == [RIC_INVALID]
    assert error.code == "invalid"


def test_old_15_digit_resident_id_is_refused_with_its_own_message() -> None:
    error = _refused(IdType.RESIDENT, "530102900101001")
    assert error.messages == [RIC_OLD_FORM]


def test_old_15_digit_resident_id_is_refused() -> None:
    error = _refused(IdType.RESIDENT, "530102900101001")
    assert error.code == "invalid"
    assert error.messages[0] in (RIC_INVALID, RIC_OLD_FORM)


@pytest.mark.parametrize("id_type", list(IdType))
@pytest.mark.parametrize("number", ["", "   ", " - "])
def test_empty_number_is_required(id_type: str, number: str) -> None:
    error = _refused(id_type, number)
    assert error.messages == ["请填写证件号码。"]
    assert error.code == "required"


# --- Hong Kong, Macao and Taiwan ------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "normal"),
    [
        ("H12345678", "H12345678"),
        ("M12345678", "M12345678"),
        ("h1234567801", "H1234567801"),
        ("H 1234 5678", "H12345678"),
    ],
)
def test_hong_kong_macao_permit_accepted(number: str, normal: str) -> None:
    assert validate_id(IdType.HK_MO_PERMIT, number) == IdentityFacts(normal)


@pytest.mark.parametrize("number", ["X1234567", "X12345678", "H1234567", "H123456789", "12345678"])
def test_hong_kong_macao_permit_refused(number: str) -> None:
    error = _refused(IdType.HK_MO_PERMIT, number)
    assert error.messages == [HK_MO_INVALID]
    assert error.code == "invalid"


@pytest.mark.parametrize("number", ["12345678", "1234567801"])
def test_taiwan_permit_accepted(number: str) -> None:
    assert validate_id(IdType.TW_PERMIT, number) == IdentityFacts(number)


@pytest.mark.parametrize("number", ["1234567", "123456789", "T1234567", "H12345678"])
def test_taiwan_permit_refused(number: str) -> None:
    assert _refused(IdType.TW_PERMIT, number).messages == [TW_INVALID]


HMT_VALID = [_with_check(f"{prefix}19900101001") for prefix in ("810000", "820000", "830000")]


@pytest.mark.parametrize("number", HMT_VALID)
def test_hmt_residence_permit_accepted(number: str) -> None:
    facts = validate_id(IdType.HMT_RESIDENCE, number)
    assert facts == IdentityFacts(number, datetime.date(1990, 1, 1), Gender.MALE)


def test_hmt_residence_permit_must_use_an_hmt_prefix() -> None:
    error = _refused(IdType.HMT_RESIDENCE, RESIDENT)
    assert error.messages == [HMT_PREFIX]


@pytest.mark.parametrize("number", [_wrong_check(n) for n in HMT_VALID])
def test_hmt_residence_permit_with_a_wrong_check_digit_is_refused(number: str) -> None:
    assert _refused(IdType.HMT_RESIDENCE, number).messages == [RIC_INVALID]


# --- passports and foreigners --------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "normal"),
    [("E12345678", "E12345678"), ("g1234567 8", "G12345678"), ("123456789", "123456789")],
)
def test_passport_accepted(number: str, normal: str) -> None:
    assert validate_id(IdType.PASSPORT, number) == IdentityFacts(normal)


@pytest.mark.parametrize("number", ["E123", "E1234567#", "E12345678901234567", "护照12345"])
def test_passport_refused(number: str) -> None:
    assert _refused(IdType.PASSPORT, number).messages == [PASSPORT_INVALID]


FOREIGN = _with_check("91530001199001010")


def test_foreign_permanent_residence_accepted() -> None:
    assert FOREIGN.startswith("9")
    assert validate_id(IdType.FOREIGN_PERMANENT, FOREIGN) == IdentityFacts(FOREIGN)
    assert validate_id(IdType.FOREIGN_PERMANENT, FOREIGN.lower()).number == FOREIGN


@pytest.mark.parametrize(
    "number",
    [
        pytest.param(_wrong_check(FOREIGN), id="wrong-check-digit"),
        pytest.param(RESIDENT, id="not-9-prefixed"),
        pytest.param(FOREIGN[:-1], id="17-characters"),
        pytest.param("9" + "A" * 16 + "1", id="letters"),
    ],
)
def test_foreign_permanent_residence_refused(number: str) -> None:
    assert _refused(IdType.FOREIGN_PERMANENT, number).messages == [FOREIGN_INVALID]


@pytest.mark.parametrize("id_type", ["driving_licence", "", "RESIDENT"])
def test_unknown_document_type(id_type: str) -> None:
    error = _refused(id_type, "123456789")
    assert error.messages == ["不支持的证件类型。"]
    assert error.code == "invalid_type"


# --- phone ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "normal"),
    [
        ("13812345678", "13812345678"),
        ("19912345678", "19912345678"),
        ("+8613812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0871-65123456", "0871-65123456"),
        ("087165123456", "087165123456"),
        ("(0871)65123456", "087165123456"),
        ("010-12345678", "010-12345678"),
    ],
)
def test_valid_phone(number: str, normal: str) -> None:
    assert validate_phone(number) == normal


@pytest.mark.parametrize(
    "number",
    ["12812345678", "1381234567", "138123456789", "65123456", "abc", "", "+1 2025550123"],
)
def test_invalid_phone(number: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_phone(number)
    assert refused.value.messages == [PHONE_INVALID]
    assert refused.value.code == "invalid"


# --- unified social credit code ------------------------------------------------------------

USCC_BODY = "91530100" + "MA6K7QXT5"  # registration authority, kind, area, organisation code
USCC = USCC_BODY + uscc.calc_check_digit(USCC_BODY)


def test_valid_uscc() -> None:
    assert len(USCC) == 18
    assert validate_uscc(USCC) == USCC
    assert validate_uscc(f" {USCC[:8]}-{USCC[8:].lower()} ") == USCC


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(USCC_BODY + ("0" if USCC[-1] != "0" else "1"), id="wrong-check"),
        pytest.param(USCC[:-1], id="17-characters"),
        pytest.param("9153010OMA6K7QXT5" + USCC[-1], id="letter-in-area"),
        pytest.param("91530100MA6K7QXI5" + USCC[-1], id="letter-I"),
        pytest.param("", id="empty"),
    ],
)
def test_invalid_uscc(code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        validate_uscc(code)
    assert refused.value.messages == [USCC_INVALID]
    assert refused.value.code == "invalid"
