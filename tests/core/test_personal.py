"""Personal data: encrypted at rest, found by blind index, masked when shown, revealed audited."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json

import pytest
from cryptography.exceptions import InvalidTag
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.template import Context, Template
from stdnum.cn import ric

from skillcert.core import crypto
from skillcert.core.actors import Actor
from skillcert.core.choices import Gender, IdType
from skillcert.core.errors import PermissionDenied
from skillcert.core.fields import Protected
from skillcert.core.masking import mask, mask_name
from skillcert.core.models import AuditEvent, User
from skillcert.core.personal import (
    find_user_by_id_number,
    id_index,
    personal_reveal,
    phone_index,
)
from skillcert.core.services import user_create
from tests.conftest import Cast

SYSTEM = Actor.system("test")


def _rid(area: str, birth: str, serial: str) -> str:
    body = f"{area}{birth}{serial}"
    return body + ric.calc_check_digit(body + "0")  # stdnum ignores the last character


# Kunming, Wuhua district, born 1990-01-01, serial 001 (odd: male); check digit X.
ID_MALE = _rid("530102", "19900101", "001")
# Born 1985-12-31, serial 024 (even: female).
ID_FEMALE = _rid("530102", "19851231", "024")
PHONE = "13812345678"


def _create(username: str = "zhangsan", id_number: str = ID_MALE, phone: str = PHONE) -> User:
    return user_create(
        actor=SYSTEM,
        username=username,
        password=None,
        full_name="张三",
        id_type=IdType.RESIDENT,
        id_number=id_number,
        phone=phone,
    )


def _raw_columns(user: User) -> tuple[str, str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, id_number_index, phone_index FROM core_user WHERE id = %s",
            [user.pk],
        )
        row = cursor.fetchone()
    assert row is not None
    return row[0], row[1], row[2], row[3]


def test_the_test_numbers_are_what_they_claim() -> None:
    assert ID_MALE == "53010219900101001X"
    assert ric.is_valid(ID_MALE)
    assert ric.is_valid(ID_FEMALE)


# --- crypto -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [ID_MALE, PHONE, "张三 Zhang", "x"])
def test_encrypt_decrypt_round_trip(value: str) -> None:
    token = crypto.encrypt(value)
    assert token.startswith("v1.")
    assert crypto.decrypt(token) == value


def test_empty_stays_empty() -> None:
    assert crypto.encrypt("") == ""
    assert crypto.decrypt("") == ""
    assert crypto.blind_index("id", "") == ""


def test_ciphertext_differs_each_time_and_hides_the_plaintext() -> None:
    tokens = {crypto.encrypt(ID_MALE) for _ in range(5)}
    assert len(tokens) == 5
    nonces = {base64.b64decode(t[3:])[:12] for t in tokens}
    assert len(nonces) == 5
    for token in tokens:
        assert ID_MALE not in token
        assert ID_MALE.encode() not in base64.b64decode(token[3:])
        assert "19900101" not in token


def test_tampered_ciphertext_fails_to_decrypt() -> None:
    token = crypto.encrypt(ID_MALE)
    blob = bytearray(base64.b64decode(token[3:]))
    for position in (0, 12, len(blob) - 1):  # nonce, ciphertext, tag
        tampered = bytearray(blob)
        tampered[position] ^= 0x01
        with pytest.raises(InvalidTag):
            crypto.decrypt("v1." + base64.b64encode(bytes(tampered)).decode())
    with pytest.raises(InvalidTag):
        crypto.decrypt("v1." + base64.b64encode(bytes(blob[:-1])).decode())  # truncated tag


def test_unknown_ciphertext_version_is_refused() -> None:
    token = crypto.encrypt(ID_MALE)
    with pytest.raises(ValueError, match="unknown ciphertext version 'v2'"):
        crypto.decrypt("v2." + token[3:])


def test_blind_index_is_deterministic_keyed_and_separated_by_kind() -> None:
    first = crypto.blind_index("id", ID_MALE)
    assert first == crypto.blind_index("id", ID_MALE)
    assert len(first) == 64
    int(first, 16)
    assert first != crypto.blind_index("phone", ID_MALE)
    assert first != crypto.blind_index("id", ID_FEMALE)
    assert first != hashlib.sha256(ID_MALE.encode()).hexdigest()


def test_id_index_includes_the_document_type_and_normalises() -> None:
    assert id_index(IdType.RESIDENT, ID_MALE) == id_index("resident", ID_MALE.lower())
    assert id_index(IdType.RESIDENT, ID_MALE) == id_index(
        IdType.RESIDENT, f"{ID_MALE[:6]} {ID_MALE[6:14]}-{ID_MALE[14:]}"
    )
    assert id_index(IdType.RESIDENT, "E12345678") != id_index(IdType.PASSPORT, "E12345678")
    assert phone_index(PHONE) != crypto.blind_index("id", PHONE)


# --- storage and look-up ----------------------------------------------------------------


@pytest.mark.django_db
def test_database_column_holds_ciphertext_not_plaintext() -> None:
    user = _create()
    raw_id, raw_phone, raw_id_index, raw_phone_index = _raw_columns(user)
    for raw, plain in ((raw_id, ID_MALE), (raw_phone, PHONE)):
        assert raw.startswith("v1.")
        assert plain not in raw
        assert crypto.decrypt(raw) == plain
    assert raw_id_index == id_index(IdType.RESIDENT, ID_MALE)
    assert raw_phone_index == phone_index(PHONE)
    assert ID_MALE not in raw_id_index
    # Loaded back, the field is Protected and equal to the plain value.
    loaded = User.objects.get(pk=user.pk)
    assert isinstance(loaded.id_number, Protected)
    assert loaded.id_number.plain == ID_MALE
    assert loaded.phone.plain == PHONE
    # The audit event of the creation does not carry the number either.
    event = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
    dumped = json.dumps(event.changes, ensure_ascii=False) + event.object_label
    assert ID_MALE not in dumped
    assert PHONE not in dumped


@pytest.mark.django_db
def test_resaving_keeps_the_value_and_changes_the_ciphertext() -> None:
    user = _create()
    before, *_ = _raw_columns(user)
    loaded = User.objects.get(pk=user.pk)
    loaded.save()
    after, *_ = _raw_columns(user)
    assert after != before
    assert crypto.decrypt(after) == ID_MALE


@pytest.mark.django_db
def test_find_user_by_id_number() -> None:
    user = _create()
    other = _create(username="lisi", id_number=ID_FEMALE, phone="13912345678")
    assert find_user_by_id_number(IdType.RESIDENT, ID_MALE) == user
    assert find_user_by_id_number("resident", ID_MALE.lower()) == user
    assert find_user_by_id_number(IdType.RESIDENT, f" {ID_MALE[:6]} {ID_MALE[6:]} ") == user
    assert find_user_by_id_number(IdType.RESIDENT, ID_FEMALE) == other
    assert find_user_by_id_number(IdType.PASSPORT, ID_MALE) is None
    assert find_user_by_id_number(IdType.RESIDENT, _rid("530102", "19900101", "003")) is None


@pytest.mark.django_db
def test_birth_date_and_gender_come_from_the_resident_id() -> None:
    man = _create()
    woman = _create(username="lisi", id_number=ID_FEMALE, phone="13912345678")
    man.refresh_from_db()
    woman.refresh_from_db()
    assert man.birth_date == datetime.date(1990, 1, 1)
    assert man.gender == Gender.MALE
    assert woman.birth_date == datetime.date(1985, 12, 31)
    assert woman.gender == Gender.FEMALE


# --- masking ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        ("id", "530102199001011234", "530102********1234"),
        ("id", ID_MALE, "530102********001X"),
        ("phone", "13812345678", "138****5678"),
        ("phone", "087165123456", "087*****3456"),
        ("phone", "6512345", "65***45"),
        ("id", "E12345678", "E1*****78"),  # passport
        ("id", "H12345678", "H1*****78"),  # Hong Kong/Macao permit
        ("id", "12345678", "12****78"),  # Taiwan permit
        ("id", "AB123", "AB*23"),
        ("id", "1234", "****"),
        ("phone", "1234", "****"),
        ("id", "", ""),
    ],
)
def test_mask(kind: str, value: str, masked: str) -> None:
    assert mask(kind, value) == masked


def test_mask_name() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳修") == "欧**"
    assert mask_name("王") == "王"


def test_protected_prints_masked() -> None:
    value = Protected("530102199001011234", "id")
    assert str(value) == "530102********1234"
    assert f"{value}" == "530102********1234"
    assert f"[{value:>20}]" == "[  530102********1234]"
    assert "%s" % value == "530102********1234"  # noqa: UP031 - old-style formatting too
    assert "199001011234" not in repr(value)
    assert Template("{{ u.id_number }}").render(Context({"u": {"id_number": value}})) == (
        "530102********1234"
    )
    assert value == "530102199001011234"
    assert value.plain == "530102199001011234"
    assert not Protected("", "id")


def test_protected_refuses_json() -> None:
    value = Protected(PHONE, "phone")
    with pytest.raises(TypeError):
        json.dumps({"phone": value})
    with pytest.raises(TypeError):
        json.dumps({"phone": value}, cls=DjangoJSONEncoder)


@pytest.mark.django_db
def test_loaded_user_renders_masked_in_templates_and_serialisation() -> None:
    user = User.objects.get(pk=_create().pk)
    rendered = Template("{{ u.id_number }} {{ u.phone }}").render(Context({"u": user}))
    assert rendered == "530102********001X 138****5678"
    assert f"{user.id_number}" == "530102********001X"
    dumped = serializers.serialize("json", [user])
    assert ID_MALE not in dumped
    assert PHONE not in dumped
    assert "530102********001X" in dumped


# --- reveal -----------------------------------------------------------------------------


def _loaded(cast: Cast, name: str) -> User:
    # As views see them: loaded from the database (the factories assign plain strings).
    return User.objects.get(pk=cast.users[name].pk)


def _reveal_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="personal_data.reveal").order_by("seq"))


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["institution_a", "province", "city_a"])
@pytest.mark.parametrize("field", ["id_number", "phone"])
def test_allowed_reveal_returns_the_value_and_writes_one_event(
    cast: Cast, who: str, field: str
) -> None:
    target = _loaded(cast, "institution_a")
    actor = cast.actor(who)
    total_before = AuditEvent.objects.count()
    value = personal_reveal(actor=actor, user=target, field=field)
    assert value == getattr(target, field).plain
    assert value == crypto.decrypt(_raw_columns(target)[0 if field == "id_number" else 1])
    assert len(value) == (18 if field == "id_number" else 11)
    assert AuditEvent.objects.count() == total_before + 1
    (event,) = _reveal_events()
    assert event.changes == {"field": field}
    assert event.actor_id == actor.user_id
    assert event.organisation_id == actor.organisation_id
    assert (event.object_type, event.object_id) == ("core.user", str(target.pk))
    assert value not in json.dumps(event.changes) + event.object_label


@pytest.mark.django_db
@pytest.mark.parametrize(
    "who", ["city_b", "institution_b", "examiner", "candidate", "anonymous", "education"]
)
def test_refused_reveal_raises_and_writes_no_event(cast: Cast, who: str) -> None:
    target = _loaded(cast, "institution_a")
    total_before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied) as refused:
        personal_reveal(actor=cast.actor(who), user=target, field="id_number")
    assert refused.value.message == "您无权查看完整的个人信息。"
    assert refused.value.status == 403
    assert AuditEvent.objects.count() == total_before
    assert _reveal_events() == []


@pytest.mark.django_db
def test_person_reveals_their_own_data_whatever_their_role(cast: Cast) -> None:
    for who in ("candidate", "examiner"):
        user = _loaded(cast, who)
        assert personal_reveal(actor=cast.actor(who), user=user, field="phone") == user.phone.plain
    assert [e.actor_id for e in _reveal_events()] == [
        cast.users["candidate"].pk,
        cast.users["examiner"].pk,
    ]


@pytest.mark.django_db
def test_institution_admin_reveals_their_own_staff_only(cast: Cast) -> None:
    examiner = _loaded(cast, "examiner")  # works at institution A
    assert (
        personal_reveal(actor=cast.actor("institution_a"), user=examiner, field="id_number")
        == examiner.id_number.plain
    )
    with pytest.raises(PermissionDenied):
        personal_reveal(actor=cast.actor("institution_b"), user=examiner, field="id_number")
    assert len(_reveal_events()) == 1


@pytest.mark.django_db
def test_reveal_of_an_unprotected_field_is_refused(cast: Cast) -> None:
    with pytest.raises(ValueError, match="password is not a protected field"):
        personal_reveal(
            actor=cast.actor("province"), user=cast.users["candidate"], field="password"
        )
    assert _reveal_events() == []


@pytest.mark.django_db
def test_a_number_set_in_memory_is_protected_too(cast: Cast) -> None:
    user = cast.users["institution_a"]  # saved by the factory, never reloaded
    plain = User.objects.get(pk=user.pk).id_number.plain
    assert str(user.id_number) == mask("id", plain)
    assert personal_reveal(actor=cast.actor("province"), user=user, field="id_number") == plain
