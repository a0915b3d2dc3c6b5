"""W3C Bitstring Status List v1.0: the revocation list credential of an issuer.

Bit ``i`` is the i-th bit from the left of the uncompressed list (index 0 is the most
significant bit of the first byte); the list is GZIP-compressed and written as multibase
base64url without padding (``u…``). At least 131,072 bits (16 KiB), so that one set bit
does not single out a holder.
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from skillcert.certificates import dataintegrity, jsonld
from skillcert.core.errors import DomainError

MIN_BITS = 131_072
PURPOSE_REVOCATION = "revocation"
STATUS_PURPOSES = ("revocation", "suspension")


class StatusListError(DomainError):
    def __init__(self, message: str, *, code: str = "status_list") -> None:
        super().__init__(message, code=code)


class StatusList:
    """A fixed-size bitstring, all bits clear when new."""

    def __init__(self, size: int = MIN_BITS) -> None:
        if size < MIN_BITS or size % 8:
            raise StatusListError(f"状态列表至少 {MIN_BITS} 位，且为 8 的倍数。")
        self._bits = bytearray(size // 8)

    @property
    def size(self) -> int:
        return len(self._bits) * 8

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.size:
            raise StatusListError(f"状态索引 {index} 超出列表范围（0–{self.size - 1}）。")
        return index // 8, 0x80 >> (index % 8)

    def get(self, index: int) -> bool:
        byte, mask = self._locate(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        byte, mask = self._locate(index)
        if value:
            self._bits[byte] |= mask
        else:
            self._bits[byte] &= ~mask & 0xFF

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def encode(self) -> str:
        """GZIP (fixed mtime, so equal lists encode equally) + multibase base64url."""
        packed = gzip.compress(self.to_bytes(), mtime=0)
        return "u" + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")

    @classmethod
    def from_bytes(cls, data: bytes) -> StatusList:
        status_list = cls(len(data) * 8)
        status_list._bits[:] = data
        return status_list

    @classmethod
    def decode(cls, encoded: str) -> StatusList:
        if not encoded.startswith("u"):
            raise StatusListError("encodedList 须为 base64url multibase（u 开头）。")
        body = encoded[1:]
        try:
            packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            data = gzip.decompress(packed)
        except (ValueError, OSError, EOFError) as exc:
            raise StatusListError("encodedList 无法解码。") from exc
        return cls.from_bytes(data)


def status_entry(list_url: str, index: int, purpose: str = PURPOSE_REVOCATION) -> dict[str, Any]:
    """The ``credentialStatus`` of a credential whose status is bit ``index`` of the list."""
    if index < 0:
        raise StatusListError("状态索引不能为负数。")
    if purpose not in STATUS_PURPOSES:
        raise StatusListError(f"不支持的状态用途：{purpose}")
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    *,
    list_url: str,
    status_list: StatusList,
    issuer_key: Ed25519PrivateKey,
    created: datetime,
    purpose: str = PURPOSE_REVOCATION,
) -> dict[str, Any]:
    """The signed BitstringStatusListCredential at ``list_url`` (issuer = the key's did:key)."""
    if purpose not in STATUS_PURPOSES:
        raise StatusListError(f"不支持的状态用途：{purpose}")
    public_key = issuer_key.public_key()
    document: dict[str, Any] = {
        "@context": [jsonld.VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": dataintegrity.did_key(public_key),
        "validFrom": dataintegrity.xsd_datetime(created),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": status_list.encode(),
        },
    }
    return dataintegrity.sign(
        document, issuer_key, dataintegrity.verification_method(public_key), created
    )


def status_of(credential: Mapping[str, Any], list_credential: Mapping[str, Any]) -> bool:
    """Whether ``credential``'s status bit is set in the (verified) ``list_credential``.

    Raises :class:`StatusListError` when the status cannot be established: a list with an
    invalid proof, another issuer, another URL or purpose — callers answer "unknown".
    """
    entry = credential.get("credentialStatus")
    if not isinstance(entry, Mapping) or entry.get("type") != "BitstringStatusListEntry":
        raise StatusListError("凭证没有位串状态列表条目。")
    if not dataintegrity.verify(list_credential):
        raise StatusListError("状态列表凭证的签名无效。")
    if list_credential.get("id") != entry.get("statusListCredential"):
        raise StatusListError("状态列表凭证与条目所指的地址不一致。")
    if dataintegrity.issuer_id(list_credential) != dataintegrity.issuer_id(credential):
        raise StatusListError("状态列表凭证与凭证的签发者不一致。")
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or subject.get("statusPurpose") != entry.get(
        "statusPurpose"
    ):
        raise StatusListError("状态列表的用途与条目不一致。")
    try:
        index = int(str(entry.get("statusListIndex")))
    except ValueError:
        raise StatusListError("状态索引无效。") from None
    return StatusList.decode(str(subject.get("encodedList", ""))).get(index)
