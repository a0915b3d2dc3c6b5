"""Per-client rate limit of public verification (DESIGN.md "Contracts": rate-limited per
client), so the register cannot be harvested by guessing names and numbers.

A fixed window counter in Django's cache (Redis in production, so every web process
shares it; local memory in tests): the first request of a window creates the counter
with ``cache.add``, every request increments it with ``cache.incr``, and a client past
the limit is answered 429 with ``Retry-After`` until the window ends.

Settings (read with defaults, so a deployment without them still limits):

* ``VERIFY_RATE_LIMIT`` — ``"30/60"``: 30 requests per client per 60 seconds. ``"off"``
  (or an empty value) lifts the limit, for load tests only.
* ``VERIFY_TRUST_FORWARDED`` — the client is ``REMOTE_ADDR``; only when this is true
  (behind a reverse proxy that sets the header) the first ``X-Forwarded-For`` hop.

If the cache cannot be reached, requests are **allowed** and a warning is logged:
verification is a public service the law asks us to offer, and an outage of the cache
should not take it down; the database is still protected by the proxy's own limits.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DEFAULT_RATE = "30/60"
_KEY_PREFIX = "verify-rate"


@dataclass(frozen=True)
class Rate:
    limit: int  # requests per window
    window: int  # seconds


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the window ends (when refused)


ALLOW = Verdict(allowed=True)


def parse_rate(text: str) -> Rate | None:
    """``"30/60"`` → 30 requests per 60 s; ``"off"`` or empty → no limit."""
    value = (text or "").strip().lower()
    if value in ("", "off", "none"):
        return None
    limit, _sep, window = value.partition("/")
    try:
        rate = Rate(int(limit), int(window or "60"))
    except ValueError as exc:
        raise ImproperlyConfigured(f"VERIFY_RATE_LIMIT must be like '30/60', got {text!r}") from exc
    if rate.limit < 1 or rate.window < 1:
        raise ImproperlyConfigured(f"VERIFY_RATE_LIMIT must be positive, got {text!r}")
    return rate


def configured_rate() -> Rate | None:
    return parse_rate(str(getattr(settings, "VERIFY_RATE_LIMIT", DEFAULT_RATE)))


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the first X-Forwarded-For hop when the proxy is trusted."""
    if getattr(settings, "VERIFY_TRUST_FORWARDED", False):
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        first = forwarded.split(",")[0].strip()
        if first:
            return first
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _now() -> float:
    return time.time()


def _key(scope: str, rate: Rate, window_index: int, client: str) -> str:
    # Hashed: the cache holds no readable addresses, and keys stay short and safe.
    digest = hashlib.sha256(client.encode()).hexdigest()[:32]
    return f"{_KEY_PREFIX}:{scope}:{rate.window}:{window_index}:{digest}"


def hit(request: HttpRequest, scope: str = "verify") -> Verdict:
    """Count one request of the client; refused once past the limit in this window."""
    return count(client_address(request), scope, configured_rate())


def count(client: str, scope: str, rate: Rate | None) -> Verdict:
    """Count one use of ``scope`` by ``client`` against ``rate`` (``None``: no limit)."""
    if rate is None:
        return ALLOW
    now = _now()
    window_index = int(now // rate.window)
    key = _key(scope, rate, window_index, client)
    try:
        cache.add(key, 0, timeout=rate.window + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=rate.window + 1)
            used = 1
    except Exception:
        # Fail open (see the module docstring): the public service stays available.
        logger.warning("rate limit %s: cache unavailable, request allowed", scope, exc_info=True)
        return ALLOW
    if used <= rate.limit:
        return ALLOW
    retry_after = max(1, int((window_index + 1) * rate.window - now + 0.999))
    return Verdict(allowed=False, retry_after=retry_after)


def refusal_message(verdict: Verdict) -> str:
    return _("查询过于频繁，请在%(seconds)s秒后再试。") % {"seconds": verdict.retry_after}
