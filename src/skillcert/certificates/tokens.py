"""The QR code's link: ``{SITE_URL}/v/{number}/{token}`` (DESIGN.md "Contracts").

The token is a keyed MAC of the number, so a scan opens the record without typing and
nobody can walk the numbers to harvest records: a number alone opens nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from django.conf import settings

from skillcert.core.crypto import derived_key

# 15 bytes (120 bits) of HMAC-SHA256: 20 URL-safe characters without padding.
_TOKEN_BYTES = 15


def verification_token(number: str) -> str:
    mac = hmac.new(derived_key("certificates/qr"), number.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:_TOKEN_BYTES]).decode()


def verification_url(number: str) -> str:
    return f"{settings.SITE_URL}/v/{number}/{verification_token(number)}"


def token_valid(number: str, token: str) -> bool:
    """Whether ``token`` was made for ``number``, compared in constant time."""
    return hmac.compare_digest(token.encode(), verification_token(number).encode())
