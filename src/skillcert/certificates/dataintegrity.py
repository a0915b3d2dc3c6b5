"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite, and ``did:key``.

Follows W3C "Data Integrity EdDSA Cryptosuites v1.0" §3.2 (eddsa-rdfc-2022): the document
without its proof and the proof configuration (the proof without ``proofValue``, carrying the
document's ``@context``) are each canonicalised with RDFC-1.0 and hashed with SHA-256; Ed25519
signs SHA-256(proof configuration) ‖ SHA-256(document); ``proofValue`` is the signature in
multibase base58btc. Keys are ``did:key`` Multikeys (multicodec ``ed25519-pub``, 0xed01).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from skillcert.certificates import jsonld
from skillcert.core.errors import DomainError

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"
ED25519_PUB_PREFIX = b"\xed\x01"  # multicodec ed25519-pub, as an unsigned varint

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}


class ProofError(DomainError):
    def __init__(self, message: str, *, code: str = "credential_proof") -> None:
        super().__init__(message, code=code)


# --- multibase base58btc -------------------------------------------------------------


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rem = divmod(number, 58)
        out.append(_B58_ALPHABET[rem])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        try:
            number = number * 58 + _B58_INDEX[char]
        except KeyError:
            raise ProofError("base58 编码中有非法字符。") from None
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    leading_zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * leading_zeros + body


def multibase_b58(data: bytes) -> str:
    return "z" + b58encode(data)


def from_multibase_b58(text: str) -> bytes:
    if not text.startswith("z"):
        raise ProofError("只支持 base58btc（z 开头）的 multibase 编码。")
    return b58decode(text[1:])


# --- did:key -------------------------------------------------------------------------


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return multibase_b58(ED25519_PUB_PREFIX + raw)


def did_key(public_key: Ed25519PublicKey) -> str:
    """``did:key:z6Mk…`` for an Ed25519 public key."""
    return f"did:key:{public_key_multibase(public_key)}"


def verification_method(public_key: Ed25519PublicKey) -> str:
    """The did:key verification method id: the DID with its key as the fragment."""
    multikey = public_key_multibase(public_key)
    return f"did:key:{multikey}#{multikey}"


def public_key_from_did_key(method: str) -> Ed25519PublicKey:
    """Resolve a did:key DID or verification method (offline) to its Ed25519 key."""
    did, _, fragment = method.partition("#")
    if not did.startswith("did:key:"):
        raise ProofError("只支持 did:key 验证方法。")
    multikey = did.removeprefix("did:key:")
    if fragment and fragment != multikey:
        raise ProofError("did:key 验证方法的片段与密钥不一致。")
    decoded = from_multibase_b58(multikey)
    if not decoded.startswith(ED25519_PUB_PREFIX) or len(decoded) != 34:
        raise ProofError("did:key 不是 Ed25519 公钥。")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


# --- proofs --------------------------------------------------------------------------


def xsd_datetime(moment: datetime) -> str:
    """UTC ``YYYY-MM-DDTHH:MM:SSZ`` (whole seconds) of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash_data(unsecured: Mapping[str, Any], proof_config: Mapping[str, Any]) -> bytes:
    config = dict(proof_config)
    config["@context"] = unsecured["@context"]
    config_hash = hashlib.sha256(jsonld.canonize(config).encode("utf-8")).digest()
    document_hash = hashlib.sha256(jsonld.canonize(unsecured).encode("utf-8")).digest()
    return config_hash + document_hash


def sign(
    document: Mapping[str, Any],
    key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
) -> dict[str, Any]:
    """A copy of ``document`` with an ``eddsa-rdfc-2022`` DataIntegrityProof added.

    Refuses (``jsonld.ContextError``) a document with any term its contexts do not define,
    and a verification method that is not ``key``'s own did:key.
    """
    if "proof" in document:
        raise ProofError("文档已带有证明，不能再次签名。")
    if public_key_from_did_key(verification_method).public_bytes(
        Encoding.Raw, PublicFormat.Raw
    ) != key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw):
        raise ProofError("验证方法与签名密钥不匹配。")
    unsecured = copy.deepcopy(dict(document))
    jsonld.require_defined_terms(unsecured)
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = key.sign(_hash_data(unsecured, proof))
    proof["proofValue"] = multibase_b58(signature)
    return {**unsecured, "proof": proof}


def issuer_id(document: Mapping[str, Any]) -> str | None:
    """The issuer's id, whether ``issuer`` is a string or an object."""
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        value = issuer.get("id")
        return value if isinstance(value, str) else None
    return issuer if isinstance(issuer, str) else None


def verify(document: Mapping[str, Any]) -> bool:
    """True when ``document`` carries one valid ``eddsa-rdfc-2022`` proof.

    The proof's did:key must be the document's issuer (when it names one) and its purpose
    ``assertionMethod``. Any malformed input answers False rather than raising.
    """
    proof = document.get("proof")
    if not isinstance(proof, Mapping):
        return False
    if (
        proof.get("type") != PROOF_TYPE
        or proof.get("cryptosuite") != CRYPTOSUITE
        or proof.get("proofPurpose") != PROOF_PURPOSE
    ):
        return False
    method = proof.get("verificationMethod")
    proof_value = proof.get("proofValue")
    if not isinstance(method, str) or not isinstance(proof_value, str):
        return False
    issuer = issuer_id(document)
    if issuer is not None and method.partition("#")[0] != issuer:
        return False
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    try:
        public_key = public_key_from_did_key(method)
        signature = from_multibase_b58(proof_value)
        if "@context" not in unsecured:
            return False
        jsonld.require_defined_terms(unsecured)
        public_key.verify(signature, _hash_data(unsecured, config))
    except (DomainError, InvalidSignature, ValueError):
        return False
    return True
