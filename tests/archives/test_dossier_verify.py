"""Verifying a dossier: it verifies as built, and fails after one byte anywhere changes
(registered mode); offline mode still detects a changed part and a changed manifest; the
``verify_dossier`` command's output and exit codes."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from skillcert.archives.dossiers import dossier_verify
from skillcert.archives.models import Dossier
from skillcert.certificates.dataintegrity import did_key
from tests.archives.builders_dossiers import archivable, built, dossier_bytes, rezip
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(cast: Cast) -> Dossier:
    kit = archivable(cast, issued=False, passed=1, failed=1)
    return built(kit.admin, kit.batch)


def _failed(report: Any) -> set[str]:
    return {c.name for c in report.checks if not c.ok}


def _flip(data: bytes, position: int) -> bytes:
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def _positions(data: bytes) -> dict[str, list[int]]:
    """Sample byte positions of every region: each entry's local header, name and data
    (start, middle, end), the central directory and the end record."""
    regions: dict[str, list[int]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        directory_start = archive.start_dir  # type: ignore[attr-defined]
    for info in infos:
        start = info.header_offset
        name_length, extra_length = struct.unpack("<HH", data[start + 26 : start + 30])
        data_start = start + 30 + name_length + extra_length
        end = data_start + info.compress_size - 1
        regions[f"{info.filename} header"] = [start, start + 6, start + 10, start + 14, start + 22]
        regions[f"{info.filename} name"] = [start + 30, start + 29 + name_length]
        regions[f"{info.filename} data"] = sorted({data_start, (data_start + end) // 2, end})
    end_record = len(data) - 22
    regions["central directory"] = list(range(directory_start, end_record, 7))
    regions["end record"] = list(range(end_record, len(data)))
    return regions


def test_a_built_dossier_verifies_registered_and_offline(ready: Dossier) -> None:
    data = dossier_bytes(ready)
    for registered in (True, False):
        report = dossier_verify(data, registered=registered)
        assert report.ok, report.checks
    names = [c.name for c in dossier_verify(data).checks]
    assert names == ["zip", "manifest", "signature", "entries", "unlisted", "registered"]


def test_one_changed_byte_anywhere_fails(ready: Dossier) -> None:
    data = dossier_bytes(ready)
    regions = _positions(data)
    assert any(name.startswith("manifest.json") for name in regions)
    assert any(name.startswith("manifest.sig") for name in regions)
    assert any(name.startswith("applications/") for name in regions)
    tried = 0
    for region, positions in regions.items():
        for position in positions:
            report = dossier_verify(_flip(data, position))
            assert not report.ok, f"a flip at {position} ({region}) verified"
            tried += 1
    assert tried > 200


def test_offline_detects_a_changed_part(ready: Dossier) -> None:
    data = dossier_bytes(ready)
    changed = rezip(data, {"plan/plan.json": b'{"code": "forged"}\n'})
    offline = dossier_verify(changed, registered=False)
    assert not offline.ok
    assert _failed(offline) == {"entries"}


def test_offline_detects_a_changed_manifest(ready: Dossier) -> None:
    data = dossier_bytes(ready)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["batch"]["title"] = "另一个批次"
    forged = json.dumps(manifest, ensure_ascii=False).encode()
    offline = dossier_verify(rezip(data, {"manifest.json": forged}), registered=False)
    assert _failed(offline) == {"signature"}


def test_a_dossier_re_signed_by_another_key_verifies_only_offline(ready: Dossier) -> None:
    data = dossier_bytes(ready)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    key = Ed25519PrivateKey.generate()
    manifest["signer"]["did"] = did_key(key.public_key())
    raw = json.dumps(manifest).encode()
    forged = rezip(data, {"manifest.json": raw, "manifest.sig": key.sign(raw)})
    assert dossier_verify(forged, registered=False).ok  # self-consistent, by an unknown key
    registered = dossier_verify(forged)
    assert _failed(registered) == {"registered"}
    assert "签名人" in registered.checks[-1].message


def test_unlisted_and_missing_entries_fail(ready: Dossier) -> None:
    data = dossier_bytes(ready)
    extra = dossier_verify(rezip(data, {}, add={"notes.txt": b"added later"}), registered=False)
    assert _failed(extra) == {"unlisted"}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != "plan/plan.pdf":
                target.writestr(info, source.read(info.filename))
    missing = dossier_verify(out.getvalue(), registered=False)
    assert _failed(missing) == {"entries"}
    assert "plan/plan.pdf" in missing.checks[3].message


def test_an_unknown_dossier_fails_registered(ready: Dossier) -> None:
    data = dossier_bytes(ready)
    Dossier.objects.filter(pk=ready.pk).update(status="failed")
    assert _failed(dossier_verify(data)) == {"registered"}
    assert dossier_verify(data, registered=False).ok


def test_not_a_zip_fails() -> None:
    report = dossier_verify(b"not a zip at all")
    assert not report.ok
    assert [c.name for c in report.checks] == ["zip"]


def test_the_command_exits_0_when_it_verifies(
    ready: Dossier, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dossier.zip"
    path.write_bytes(dossier_bytes(ready))
    call_command("verify_dossier", str(path))
    out = capsys.readouterr().out
    assert "OK   registered:" in out
    assert out.strip().splitlines()[-1] == "verified (registered)"
    call_command("verify_dossier", str(path), "--offline")
    out = capsys.readouterr().out
    assert "registered" not in out.replace("verified (offline)", "")
    assert out.strip().splitlines()[-1] == "verified (offline)"


def test_the_command_exits_1_on_a_changed_file(
    ready: Dossier, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dossier.zip"
    data = dossier_bytes(ready)
    path.write_bytes(rezip(data, {"plan/plan.json": b"{}\n"}))
    for flags in ([], ["--offline"]):
        with pytest.raises(SystemExit) as info:
            call_command("verify_dossier", str(path), *flags)
        assert info.value.code == 1
        out = capsys.readouterr().out
        assert "FAIL entries:" in out
        assert out.strip().splitlines()[-1] == "NOT VERIFIED"
