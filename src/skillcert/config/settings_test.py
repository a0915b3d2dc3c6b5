"""Test settings: fast hasher, immediate tasks, local-memory cache, a fixed data key."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SECURE_HTTPS", "false")
os.environ.setdefault("TASKS_BACKEND", "immediate")
# 32 zero-free bytes, base64: a fixed key so encrypted fixtures are reproducible.
os.environ.setdefault("SKILLCERT_DATA_KEY", "c2tpbGxjZXJ0LXRlc3Qta2V5LTAxMjM0NTY3ODlhYmM=")
os.environ.pop("REDIS_URL", None)

from skillcert.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Signing keys the test run makes (seed_demo, issuance) stay out of the checkout's var/.
SKILLCERT_KEYS_DIR = Path(tempfile.mkdtemp(prefix="skillcert-test-keys-"))
atexit.register(shutil.rmtree, SKILLCERT_KEYS_DIR, ignore_errors=True)
