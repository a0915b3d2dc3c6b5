"""Material uploads (附件2): content sniffed, extension agreeing, size limited, hashed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from skillcert.core.errors import DomainError, InvalidTransition
from skillcert.institutions.choices import MaterialKind
from skillcert.institutions.demo import minimal_pdf
from skillcert.institutions.models import FilingApplication, FilingMaterial
from skillcert.institutions.services import filing as flow
from tests.institutions.conftest import World, draft, submitted

pytestmark = pytest.mark.django_db
Refused = Callable[..., Any]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64)


@pytest.fixture
def application(world: World) -> FilingApplication:
    return draft(world, world.inst_a, world.line(), materials=False)


def _upload(world: World, application: FilingApplication, name: str, data: bytes) -> FilingMaterial:
    return flow.material_upload(
        actor=world.applicant(world.inst_a),
        application=application,
        kind=MaterialKind.SITES_EQUIPMENT,
        uploaded_file=SimpleUploadedFile(name, data),
    )


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("场地证明.pdf", minimal_pdf(), "application/pdf"),
        ("照片.PNG", PNG, "image/png"),
        ("照片.jpeg", JPEG, "image/jpeg"),
        ("照片.jpg", JPEG, "image/jpeg"),
    ],
)
def test_accepted_uploads_are_hashed_and_stored_privately(
    world: World, application: FilingApplication, name: str, data: bytes, content_type: str
) -> None:
    material = _upload(world, application, name, data)
    assert material.content_type == content_type
    assert material.size == len(data)
    assert material.sha256 == hashlib.sha256(data).hexdigest()
    assert material.original_name == name
    # Stored under a random name, never the uploader's.
    assert material.file.name.startswith("filing-materials/")
    assert name not in material.file.name
    with default_storage.open(material.file.name) as stored:
        assert stored.read() == data


def test_a_renamed_executable_is_refused(
    world: World, application: FilingApplication, refused: Refused
) -> None:
    refused(DomainError, lambda: _upload(world, application, "申请表.pdf", EXE), code="file_type")
    refused(
        DomainError, lambda: _upload(world, application, "说明.pdf", b"just text"), code="file_type"
    )
    assert not FilingMaterial.objects.exists()


def test_the_extension_must_agree_with_the_content(
    world: World, application: FilingApplication, refused: Refused
) -> None:
    refused(DomainError, lambda: _upload(world, application, "图.pdf", PNG), code="file_extension")
    refused(
        DomainError,
        lambda: _upload(world, application, "文件.png", minimal_pdf()),
        code="file_extension",
    )
    refused(
        DomainError, lambda: _upload(world, application, "无扩展名", PNG), code="file_extension"
    )
    assert not FilingMaterial.objects.exists()


def test_oversize_and_empty_files_are_refused(
    world: World, application: FilingApplication, refused: Refused, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(flow, "MATERIAL_MAX_BYTES", 100)
    refused(
        DomainError,
        lambda: _upload(world, application, "大.pdf", minimal_pdf() + bytes(200)),
        code="file_size",
    )
    refused(DomainError, lambda: _upload(world, application, "空.pdf", b""), code="file_empty")
    assert not FilingMaterial.objects.exists()


def test_uploads_only_while_editable(world: World, refused: Refused) -> None:
    application = submitted(world, world.inst_a, world.line())
    refused(InvalidTransition, lambda: _upload(world, application, "补充.pdf", minimal_pdf()))


def test_unknown_kind_is_refused(
    world: World, application: FilingApplication, refused: Refused
) -> None:
    refused(
        DomainError,
        lambda: flow.material_upload(
            actor=world.applicant(world.inst_a),
            application=application,
            kind="photo_of_cat",
            uploaded_file=SimpleUploadedFile("a.pdf", minimal_pdf()),
        ),
    )


def test_material_remove_deletes_the_row_and_the_file(
    world: World, application: FilingApplication, django_capture_on_commit_callbacks: Any
) -> None:
    material = _upload(world, application, "场地证明.pdf", minimal_pdf())
    name = material.file.name
    with django_capture_on_commit_callbacks(execute=True):
        flow.material_remove(actor=world.applicant(world.inst_a), material=material)
    assert not FilingMaterial.objects.filter(pk=material.pk).exists()
    assert not default_storage.exists(name)


def test_minimal_pdf_is_a_real_pdf() -> None:
    data = minimal_pdf("x")
    assert data.startswith(b"%PDF-1.4\n")
    assert data.rstrip().endswith(b"%%EOF")
    # The xref offset points at the xref table.
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[start:].startswith(b"xref")
