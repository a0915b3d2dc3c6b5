"""Run the independent credential verifier (tests/certificates/vc_verifier/verify.mjs).

Digital Bazaar's JavaScript libraries, run through node with an offline document loader over
the vendored contexts. The tests that use it skip when node or the verifier's packages are
missing, unless SKILLCERT_NODE_REQUIRED=1 (CI), where they fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

VERIFIER_DIR = Path(__file__).resolve().parent / "vc_verifier"
SCRIPT = VERIFIER_DIR / "verify.mjs"


def _require_node() -> str:
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "node is not on PATH"
    elif not (VERIFIER_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        problem = f"the verifier's packages are not installed (npm ci --prefix {VERIFIER_DIR})"
    if problem is None and node is not None:
        return node
    if os.environ.get("SKILLCERT_NODE_REQUIRED") == "1":
        pytest.fail(f"the independent verifier is required (SKILLCERT_NODE_REQUIRED=1): {problem}")
    pytest.skip(f"independent verifier unavailable: {problem}")


def node_verify(
    credential: Mapping[str, Any], documents: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The verifier's answer: {"verified": bool, "revoked": bool | None, "error": str | None}."""
    node = _require_node()
    payload = json.dumps({"credential": credential, "documents": documents or {}})
    completed = subprocess.run(  # noqa: S603 - fixed script, our own input
        [node, str(SCRIPT)],
        input=payload,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=VERIFIER_DIR,
    )
    assert completed.returncode in (0, 1), completed.stderr + completed.stdout
    answer: dict[str, Any] = json.loads(completed.stdout)
    assert answer["verified"] is (completed.returncode == 0)
    return answer
