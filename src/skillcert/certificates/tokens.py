"""The QR code's link: ``{SITE_URL}/v/{number}/{token}`` (DESIGN.md "Contracts").

The token is a keyed MAC of the number, so a scan opens the record without typing and
nobody can walk the numbers to harvest records: a number alone opens nothing. Version 1's
token is the MAC of the number; a later version's (修改/遗失补发) is the MAC of
``number#version``, so scanning an earlier, superseded PDF says it was superseded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings

from skillcert.core.crypto import derived_key

# 15 bytes (120 bits) of HMAC-SHA256: 20 URL-safe characters without padding.
_TOKEN_BYTES = 15


def verification_token(number: str, version: int = 1) -> str:
    message = number if version == 1 else f"{number}#{version}"
    mac = hmac.new(derived_key("certificates/qr"), message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:_TOKEN_BYTES]).decode()


def verification_url(number: str, version: int = 1) -> str:
    return f"{settings.SITE_URL}/v/{number}/{verification_token(number, version)}"


def token_valid(number: str, token: str, version: int = 1) -> bool:
    """Whether ``token`` was made for ``number`` (and version), in constant time."""
    return hmac.compare_digest(token.encode(), verification_token(number, version).encode())


def token_version(number: str, token: str, latest: int) -> int | None:
    """Which version (1 … ``latest``) of ``number`` the token was made for, or None."""
    found = None
    for version in range(1, latest + 1):
        if token_valid(number, token, version):
            found = version
    return found
