"""Personal-data cryptography: AES-GCM at rest and keyed blind indexes for look-up.

One master key (base64 of 32 bytes) comes from ``SKILLCERT_DATA_KEY`` or the key file;
HKDF derives separate keys for encryption, each blind index and the audit chain, so
no key serves two purposes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_VERSION = "v1"
_NONCE_BYTES = 12


@cache
def master_key() -> bytes:
    raw = settings.PERSONAL_DATA_KEY
    if not raw:
        path = Path(settings.PERSONAL_DATA_KEY_FILE)
        if not path.exists():
            raise ImproperlyConfigured(
                "No personal-data key: set SKILLCERT_DATA_KEY or create the key file "
                f"{path} with `manage.py generate_data_key`."
            )
        raw = path.read_text().strip()
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("SKILLCERT_DATA_KEY must be base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured("SKILLCERT_DATA_KEY must decode to 32 bytes")
    return key


@cache
def derived_key(purpose: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"skillcert/{purpose}".encode()
    ).derive(master_key())


def new_master_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def encrypt(plaintext: str) -> str:
    """``v1.<base64(nonce || ciphertext+tag)>``; empty stays empty."""
    if plaintext == "":
        return ""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(derived_key("aes-gcm")).encrypt(nonce, plaintext.encode(), _VERSION.encode())
    return f"{_VERSION}.{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    if token == "":
        return ""
    version, _, body = token.partition(".")
    if version != _VERSION:
        raise ValueError(f"unknown ciphertext version {version!r}")
    blob = base64.b64decode(body)
    plain = AESGCM(derived_key("aes-gcm")).decrypt(
        blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], _VERSION.encode()
    )
    return plain.decode()


def blind_index(kind: str, normalised: str) -> str:
    """A keyed hash for exact look-up; ``kind`` keeps ID and phone indexes apart."""
    if normalised == "":
        return ""
    return hmac.new(derived_key(f"index/{kind}"), normalised.encode(), hashlib.sha256).hexdigest()


def chain_mac(payload: bytes) -> str:
    """The audit chain's keyed hash: without the key, an edited chain can't be re-sealed."""
    return hmac.new(derived_key("audit-chain"), payload, hashlib.sha256).hexdigest()
