"""Settings of the server ``bench/verify_load.py`` runs: the project's production settings
with the verification rate limit lifted (one client makes every request here) and the
bench's URLconf (``bench/verify_load_urls.py``)."""

from __future__ import annotations

from skillcert.config.settings import *  # noqa: F403

ROOT_URLCONF = "verify_load_urls"
VERIFY_RATE_LIMIT = "off"
