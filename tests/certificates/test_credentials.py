"""Verifiable credentials: Data Integrity eddsa-rdfc-2022, did:key, OB 3.0 content, contexts."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from skillcert.certificates import credentials, dataintegrity, jsonld, statuslist
from skillcert.core.errors import DomainError
from tests.certificates.vc_node import node_verify

ISSUER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
CREATED = datetime(2025, 7, 1, 8, 30, 15, 123456, tzinfo=UTC)
LIST_URL = "https://skillcert.example/credentials/status/7/revocation"
ID_NUMBER = "11010519491231002X"

DATA: dict[str, Any] = {
    "number": "4000000031000001253000",
    "holder_name": "张三",
    "id_number": ID_NUMBER,
    "id_salt": "5f1c0a9e",
    "occupation_code": "6-18-01-01",
    "occupation_name": "车工",
    "work_type": "--",
    "level": 5,
    "level_name": "五级/初级工",
    "institution_name": "上海市某职业技能等级认定中心",
    "issue_date": date(2025, 6, 30),
}


def issue(index: int = 42, **changes: Any) -> dict[str, Any]:
    return credentials.certificate_credential(
        {**DATA, **changes}, ISSUER_KEY, index, LIST_URL, created=CREATED
    )


def status_list_with(*indexes: int, key: Ed25519PrivateKey = ISSUER_KEY) -> dict[str, Any]:
    bits = statuslist.StatusList()
    for index in indexes:
        bits.set(index)
    return statuslist.status_list_credential(
        list_url=LIST_URL, status_list=bits, issuer_key=key, created=CREATED
    )


def plain_document() -> dict[str, Any]:
    return {
        "@context": [jsonld.VC_V2, jsonld.OB_V3],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": dataintegrity.did_key(ISSUER_KEY.public_key()), "type": "Profile"},
        "validFrom": "2025-06-30T00:00:00+08:00",
        "credentialSubject": {
            "type": "AchievementSubject",
            "achievement": {
                "id": "urn:example:a",
                "type": "Achievement",
                "name": "车工",
                "criteria": {"narrative": "合格"},
            },
        },
    }


def sign_plain(document: dict[str, Any]) -> dict[str, Any]:
    public = ISSUER_KEY.public_key()
    return dataintegrity.sign(
        document, ISSUER_KEY, dataintegrity.verification_method(public), CREATED
    )


# --- multibase and did:key ----------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"\0", b"\0\0\x01", b"hello world", bytes(range(256))])
def test_base58_round_trip(data: bytes) -> None:
    assert dataintegrity.b58decode(dataintegrity.b58encode(data)) == data


def test_base58_known_value() -> None:
    # The base58btc alphabet's classic check: "Hello World!" -> 2NEpo7TZRRrLZSi2U.
    assert dataintegrity.b58encode(b"Hello World!") == "2NEpo7TZRRrLZSi2U"
    assert dataintegrity.b58encode(b"\0\0abc") == "11ZiCa"


def test_did_key_is_ed25519_multikey() -> None:
    public = ISSUER_KEY.public_key()
    did = dataintegrity.did_key(public)
    assert re.fullmatch(r"did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}", did)
    raw = dataintegrity.from_multibase_b58(did.removeprefix("did:key:"))
    assert raw[:2] == b"\xed\x01"
    assert len(raw) == 34
    method = dataintegrity.verification_method(public)
    assert method == f"{did}#{did.removeprefix('did:key:')}"
    resolved = dataintegrity.public_key_from_did_key(method)
    assert resolved.public_bytes_raw() == public.public_bytes_raw()


def test_did_key_refuses_other_methods() -> None:
    with pytest.raises(dataintegrity.ProofError):
        dataintegrity.public_key_from_did_key("did:web:example.com#key-1")
    did = dataintegrity.did_key(ISSUER_KEY.public_key())
    other = dataintegrity.did_key(OTHER_KEY.public_key())
    with pytest.raises(dataintegrity.ProofError):
        dataintegrity.public_key_from_did_key(f"{did}#{other.removeprefix('did:key:')}")


# --- sign and verify -----------------------------------------------------------------------


def test_sign_adds_an_eddsa_rdfc_2022_proof() -> None:
    signed = sign_plain(plain_document())
    proof = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["created"] == "2025-07-01T08:30:15Z"
    assert proof["verificationMethod"].startswith(signed["issuer"]["id"] + "#")
    signature = dataintegrity.from_multibase_b58(proof["proofValue"])
    assert len(signature) == 64
    assert dataintegrity.verify(signed)


def test_signature_covers_hashes_of_proof_config_then_document() -> None:
    # eddsa-rdfc-2022 §3.2.4: Ed25519 over SHA-256(canonical proof config) ‖ SHA-256(canonical
    # document). Recompute by hand and check with the public key alone.
    signed = sign_plain(plain_document())
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    config = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    config["@context"] = unsecured["@context"]
    message = (
        hashlib.sha256(jsonld.canonize(config).encode()).digest()
        + hashlib.sha256(jsonld.canonize(unsecured).encode()).digest()
    )
    signature = dataintegrity.from_multibase_b58(signed["proof"]["proofValue"])
    ISSUER_KEY.public_key().verify(signature, message)  # raises if wrong


def test_sign_refuses_a_key_that_is_not_the_verification_method() -> None:
    method = dataintegrity.verification_method(OTHER_KEY.public_key())
    with pytest.raises(dataintegrity.ProofError):
        dataintegrity.sign(plain_document(), ISSUER_KEY, method, CREATED)


def test_sign_refuses_a_signed_document_and_naive_time() -> None:
    with pytest.raises(dataintegrity.ProofError):
        sign_plain(sign_plain(plain_document()))
    method = dataintegrity.verification_method(ISSUER_KEY.public_key())
    with pytest.raises(ValueError, match="timezone"):
        dataintegrity.sign(plain_document(), ISSUER_KEY, method, datetime(2025, 7, 1))  # noqa: DTZ001


def tampered(signed: dict[str, Any], change: str) -> dict[str, Any]:
    doc = copy.deepcopy(signed)
    if change == "number":
        doc["credentialSubject"]["licenseNumber"] = "4000000031000001253001"
    elif change == "name":
        doc["credentialSubject"]["identifier"][0]["identityHash"] = "李四"
    elif change == "level":
        doc["credentialSubject"]["achievement"]["name"] = "车工 一级/高级技师"
    elif change == "issuer_name":
        doc["issuer"]["name"] = "另一机构"
    elif change == "valid_from":
        doc["validFrom"] = "2024-06-30T00:00:00+08:00"
    elif change == "status_index":
        doc["credentialStatus"]["statusListIndex"] = "43"
    elif change == "proof_created":
        doc["proof"]["created"] = "2025-07-02T08:30:15Z"
    elif change == "proof_value":
        value = doc["proof"]["proofValue"]
        doc["proof"]["proofValue"] = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    elif change == "other_issuer":
        # Re-signed by another key, but claiming the original issuer.
        resigned = credentials.certificate_credential(
            DATA, OTHER_KEY, 42, LIST_URL, created=CREATED
        )
        doc["proof"] = resigned["proof"]
    elif change == "no_proof":
        del doc["proof"]
    elif change == "added_term":
        # pyld would drop this silently, so the signature alone would still match.
        doc["credentialSubject"]["grade"] = "A"
    else:  # pragma: no cover
        raise AssertionError(change)
    return doc


TAMPERINGS = [
    "number",
    "name",
    "level",
    "issuer_name",
    "valid_from",
    "status_index",
    "proof_created",
    "proof_value",
    "other_issuer",
    "no_proof",
    "added_term",
]


def test_certificate_credential_verifies() -> None:
    assert dataintegrity.verify(issue())


@pytest.mark.parametrize("change", TAMPERINGS)
def test_tampered_credential_fails(change: str) -> None:
    assert not dataintegrity.verify(tampered(issue(), change))


def test_added_undefined_term_does_not_change_the_signed_data() -> None:
    # Why the signer must refuse undefined terms: canonical N-Quads ignore them.
    signed = issue()
    unsecured = {k: v for k, v in signed.items() if k != "proof"}
    extra = copy.deepcopy(unsecured)
    extra["credentialSubject"]["grade"] = "A"
    assert jsonld.canonize(extra) == jsonld.canonize(unsecured)


# --- undefined terms ------------------------------------------------------------------------


def with_change(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    doc = plain_document()
    *parents, last = path
    target = doc
    for part in parents:
        target = target[part]
    target[last] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "term"),
    [
        (("grade",), "A", "grade"),
        (("issuer", "homepage"), "https://example.com", "homepage"),
        (("credentialSubject", "score"), 98, "score"),
        (("credentialSubject", "achievement", "criteria", "hours"), 40, "hours"),
        (("credentialSubject", "achievement", "type"), ["Achievement", "Diploma"], "Diploma"),
        (("credentialSubject", "ex:term"), "x", "ex:term"),
        (("credentialSubject", "https://example.com/term"), "x", "https://example.com/term"),
        (("credentialSubject", "type"), "https://example.com/Type", "https://example.com/Type"),
        (("credentialSubject", "@context"), {"score": "https://example.com/score"}, "内嵌上下文"),
    ],
)
def test_signer_refuses_undefined_terms(path: tuple[str, ...], value: Any, term: str) -> None:
    document = with_change(path, value)
    with pytest.raises(jsonld.ContextError) as refused:
        sign_plain(document)
    assert term in refused.value.message
    assert refused.value.code == "jsonld_undefined_term"


def test_signer_refuses_inline_and_unknown_contexts() -> None:
    inline = plain_document()
    inline["@context"] = [*inline["@context"], {"grade": "https://example.com/grade"}]
    inline["grade"] = "A"
    with pytest.raises(jsonld.ContextError, match="内联上下文"):
        sign_plain(inline)
    unknown = plain_document()
    unknown["@context"] = [*unknown["@context"], "https://example.com/context.jsonld"]
    with pytest.raises(jsonld.ContextError, match="未收录"):
        sign_plain(unknown)
    missing = plain_document()
    del missing["@context"]
    with pytest.raises(jsonld.ContextError):
        sign_plain(missing)


def test_defined_terms_pass() -> None:
    assert jsonld.undefined_terms(plain_document()) == []
    assert jsonld.undefined_terms({k: v for k, v in issue().items() if k != "proof"}) == []
    assert jsonld.undefined_terms(status_list_with(1)) == []


# --- the offline loader and the pinned contexts ------------------------------------------


def test_loader_refuses_anything_not_vendored() -> None:
    with pytest.raises(jsonld.ContextError):
        jsonld.document_loader("https://www.w3.org/2018/credentials/v1")
    doc = plain_document()
    doc["@context"] = ["https://example.com/remote-context.jsonld"]
    with pytest.raises(jsonld.ContextError):
        jsonld.canonize(doc)


def test_loader_checks_the_pinned_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    filename, _ = jsonld.CONTEXTS[jsonld.OB_V3]
    monkeypatch.setitem(jsonld.CONTEXTS, jsonld.OB_V3, (filename, "0" * 64))
    jsonld.load_context.cache_clear()
    try:
        with pytest.raises(jsonld.ContextError, match="哈希"):
            jsonld.load_context(jsonld.OB_V3)
    finally:
        jsonld.load_context.cache_clear()


def test_readme_lists_every_vendored_context_with_its_hash() -> None:
    readme = (jsonld.CONTEXTS_DIR / "README.md").read_text(encoding="utf-8")
    files = {p.name for p in jsonld.CONTEXTS_DIR.iterdir() if p.name != "README.md"}
    assert files == {filename for filename, _ in jsonld.CONTEXTS.values()}
    for url, (filename, pinned) in jsonld.CONTEXTS.items():
        data = (jsonld.CONTEXTS_DIR / filename).read_bytes()
        assert hashlib.sha256(data).hexdigest() == pinned, filename
        row = next(line for line in readme.splitlines() if line.startswith(f"| {url} |"))
        assert filename in row
        assert pinned in row
        assert "@" in row.split("|")[3]  # package@version
        assert "@context" in json.loads(data)


# --- the certificate credential ------------------------------------------------------------


def test_credential_content_is_ob3_on_vc2() -> None:
    vc = issue()
    assert vc["@context"] == [jsonld.VC_V2, jsonld.OB_V3]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"] == {
        "id": dataintegrity.did_key(ISSUER_KEY.public_key()),
        "type": ["Profile"],
        "name": "上海市某职业技能等级认定中心",
    }
    assert vc["validFrom"] == "2025-06-30T00:00:00+08:00"
    subject = vc["credentialSubject"]
    assert subject["licenseNumber"] == "4000000031000001253000"
    achievement = subject["achievement"]
    assert achievement["name"] == "车工 五级/初级工"
    assert achievement["humanCode"] == "6-18-01-01"
    assert "specialization" not in achievement
    assert vc["credentialStatus"] == {
        "id": f"{LIST_URL}#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": LIST_URL,
    }


def test_credential_holds_no_raw_id_number_but_a_checkable_hash() -> None:
    vc = issue()
    text = json.dumps(vc, ensure_ascii=False)
    assert ID_NUMBER not in text
    assert ID_NUMBER[:-1] not in text
    name, id_hash = vc["credentialSubject"]["identifier"]
    assert name == {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": "张三",
    }
    assert id_hash["hashed"] is True
    assert id_hash["salt"] == "5f1c0a9e"
    expected = hashlib.sha256((ID_NUMBER + "5f1c0a9e").encode()).hexdigest()
    assert id_hash["identityHash"] == f"sha256${expected}"
    # A lower-case check letter is the same ID number.
    assert credentials.identity_hash(ID_NUMBER.lower(), "5f1c0a9e") == id_hash["identityHash"]


def test_random_salt_when_none_given() -> None:
    first = issue(id_salt=None)["credentialSubject"]["identifier"][1]
    second = issue(id_salt=None)["credentialSubject"]["identifier"][1]
    assert len(first["salt"]) == 32
    assert first["salt"] != second["salt"]
    assert first["identityHash"] != second["identityHash"]


def test_work_type_and_version() -> None:
    vc = issue(work_type="数控车工", verification_url="https://skillcert.example/v/N/T", version=2)
    achievement = vc["credentialSubject"]["achievement"]
    assert achievement["specialization"] == "数控车工"
    assert achievement["name"] == "车工（数控车工） 五级/初级工"
    assert "%E6%95%B0" in achievement["id"]
    assert vc["id"] == "https://skillcert.example/v/N/T"
    assert "第 2 版" in vc["description"]
    assert dataintegrity.verify(vc)


@pytest.mark.parametrize("field", ["number", "holder_name", "id_number", "issue_date"])
def test_missing_fields_are_refused(field: str) -> None:
    with pytest.raises(DomainError, match=field):
        issue(**{field: ""})


def test_issue_date_must_be_a_date() -> None:
    with pytest.raises(DomainError):
        issue(issue_date=datetime(2025, 6, 30, tzinfo=UTC))


# --- the independent verifier (Digital Bazaar, through node) ---------------------------


def test_node_verifier_accepts_our_credential() -> None:
    answer = node_verify(issue(), {LIST_URL: status_list_with(7)})
    assert answer == {"verified": True, "revoked": False, "error": None}


def test_node_verifier_reads_revocation_from_the_status_list() -> None:
    answer = node_verify(issue(index=42), {LIST_URL: status_list_with(7, 42)})
    assert answer["verified"] is True
    assert answer["revoked"] is True


@pytest.mark.parametrize("change", ["number", "level", "proof_value", "other_issuer"])
def test_node_verifier_rejects_a_tampered_credential(change: str) -> None:
    answer = node_verify(tampered(issue(), change), {LIST_URL: status_list_with()})
    assert answer["verified"] is False
    assert answer["error"]


def test_node_verifier_rejects_a_status_list_of_another_issuer() -> None:
    answer = node_verify(issue(), {LIST_URL: status_list_with(key=OTHER_KEY)})
    assert answer["verified"] is False
    assert "Issuers" in answer["error"]
