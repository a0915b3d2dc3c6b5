"""Bitstring Status List: bits, encoding, the signed list credential, status checks."""

from __future__ import annotations

import base64
import copy
import gzip
from datetime import UTC, date, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from skillcert.certificates import credentials, dataintegrity, statuslist
from skillcert.certificates.statuslist import MIN_BITS, StatusList, StatusListError
from tests.certificates.vc_node import node_verify

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(100, 132)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(200, 232)))
CREATED = datetime(2025, 7, 1, 12, tzinfo=UTC)
LIST_URL = "https://skillcert.example/credentials/status/3/revocation"


def list_credential(bits: StatusList, key: Ed25519PrivateKey = KEY) -> dict[str, object]:
    return statuslist.status_list_credential(
        list_url=LIST_URL, status_list=bits, issuer_key=key, created=CREATED
    )


def test_new_list_is_131072_clear_bits() -> None:
    bits = StatusList()
    assert bits.size == MIN_BITS == 131_072
    assert bits.to_bytes() == bytes(16_384)
    assert not any(bits.get(i) for i in (0, 1, 7, 8, MIN_BITS - 1))


def test_smaller_or_ragged_lists_are_refused() -> None:
    with pytest.raises(StatusListError):
        StatusList(MIN_BITS - 8)
    with pytest.raises(StatusListError):
        StatusList(MIN_BITS + 1)


def test_bit_zero_is_the_leftmost_bit() -> None:
    bits = StatusList()
    bits.set(0)
    bits.set(9)
    bits.set(MIN_BITS - 1)
    raw = bits.to_bytes()
    assert raw[0] == 0b1000_0000
    assert raw[1] == 0b0100_0000
    assert raw[-1] == 0b0000_0001


@pytest.mark.parametrize("index", [0, 1, 7, 8, 12_345, MIN_BITS - 1])
def test_set_get_round_trip_through_the_encoding(index: int) -> None:
    bits = StatusList()
    bits.set(index)
    decoded = StatusList.decode(bits.encode())
    assert decoded.get(index)
    assert sum(bin(b).count("1") for b in decoded.to_bytes()) == 1
    decoded.set(index, False)
    assert not decoded.get(index)
    assert decoded.to_bytes() == bytes(MIN_BITS // 8)


def test_out_of_range_index_is_refused() -> None:
    bits = StatusList()
    for index in (-1, MIN_BITS):
        with pytest.raises(StatusListError):
            bits.get(index)
        with pytest.raises(StatusListError):
            bits.set(index)


def test_encoding_is_multibase_base64url_gzip_and_deterministic() -> None:
    bits = StatusList()
    bits.set(5)
    encoded = bits.encode()
    assert encoded.startswith("u")
    assert "=" not in encoded
    assert "+" not in encoded
    assert "/" not in encoded
    body = encoded[1:]
    raw = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert raw == bits.to_bytes()
    again = StatusList.from_bytes(bits.to_bytes())
    assert again.encode() == encoded


def test_bad_encodings_are_refused() -> None:
    for encoded in ("", "zabc", "u!!!", "u" + base64.urlsafe_b64encode(b"plain").decode()):
        with pytest.raises(StatusListError):
            StatusList.decode(encoded)


def test_status_entry() -> None:
    assert statuslist.status_entry(LIST_URL, 5) == {
        "id": f"{LIST_URL}#5",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "5",
        "statusListCredential": LIST_URL,
    }
    with pytest.raises(StatusListError):
        statuslist.status_entry(LIST_URL, -1)
    with pytest.raises(StatusListError):
        statuslist.status_entry(LIST_URL, 1, purpose="refresh")


def test_list_credential_is_signed_and_shaped() -> None:
    bits = StatusList()
    bits.set(3)
    slc = list_credential(bits)
    assert slc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert slc["id"] == LIST_URL
    assert slc["issuer"] == dataintegrity.did_key(KEY.public_key())
    assert slc["credentialSubject"] == {
        "id": f"{LIST_URL}#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": bits.encode(),
    }
    assert dataintegrity.verify(slc)
    forged = copy.deepcopy(slc)
    forged["credentialSubject"]["encodedList"] = StatusList().encode()
    assert not dataintegrity.verify(forged)


def certificate(index: int, key: Ed25519PrivateKey = KEY) -> dict[str, object]:
    data = {
        "number": "4000000031000001253000",
        "holder_name": "王五",
        "id_number": "110105194912310021",
        "occupation_code": "6-18-01-01",
        "occupation_name": "车工",
        "work_type": "--",
        "level": 5,
        "level_name": "五级/初级工",
        "institution_name": "某认定机构",
        "issue_date": date(2025, 6, 30),
    }
    return credentials.certificate_credential(data, key, index, LIST_URL, created=CREATED)


def test_status_of_reads_the_bit() -> None:
    bits = StatusList()
    slc_clear = list_credential(bits)
    bits.set(17)
    slc_revoked = list_credential(bits)
    vc = certificate(17)
    assert statuslist.status_of(vc, slc_clear) is False
    assert statuslist.status_of(vc, slc_revoked) is True
    assert statuslist.status_of(certificate(18), slc_revoked) is False


def test_status_that_cannot_be_established_raises() -> None:
    bits = StatusList()
    bits.set(17)
    slc = list_credential(bits)
    vc = certificate(17)
    forged = copy.deepcopy(slc)
    forged["credentialSubject"]["encodedList"] = StatusList().encode()
    with pytest.raises(StatusListError, match="签名"):
        statuslist.status_of(vc, forged)
    with pytest.raises(StatusListError, match="签发者"):
        statuslist.status_of(vc, list_credential(bits, key=OTHER_KEY))
    moved = statuslist.status_list_credential(
        list_url=LIST_URL + "-2", status_list=bits, issuer_key=KEY, created=CREATED
    )
    with pytest.raises(StatusListError, match="地址"):
        statuslist.status_of(vc, moved)
    no_status = {k: v for k, v in vc.items() if k != "credentialStatus"}
    with pytest.raises(StatusListError):
        statuslist.status_of(no_status, slc)


def test_node_verifier_checks_the_list_credential_signature() -> None:
    bits = StatusList()
    bits.set(99)
    slc = list_credential(bits)
    assert node_verify(slc)["verified"] is True
    forged = copy.deepcopy(slc)
    forged["credentialSubject"]["encodedList"] = StatusList().encode()
    answer = node_verify(forged)
    assert answer["verified"] is False


def test_node_verifier_refuses_a_forged_list_when_checking_a_certificate() -> None:
    bits = StatusList()
    bits.set(99)
    forged = list_credential(bits)
    forged["credentialSubject"]["encodedList"] = StatusList().encode()  # hide the revocation
    answer = node_verify(certificate(99), {LIST_URL: forged})
    assert answer["verified"] is False
    assert answer["revoked"] is None
    assert node_verify(certificate(99), {LIST_URL: list_credential(bits)})["revoked"] is True
