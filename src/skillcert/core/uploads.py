"""Checking uploaded documents (DESIGN.md: "Uploaded files are checked by content type and
size and stored outside the web root")."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from skillcert.core.errors import DomainError

# PDF and images only, by sniffed content; the declared extension must agree.
DOCUMENT_TYPES: dict[str, frozenset[str]] = {
    "application/pdf": frozenset({"pdf"}),
    "image/jpeg": frozenset({"jpg", "jpeg"}),
    "image/png": frozenset({"png"}),
}


@dataclass(frozen=True)
class CheckedUpload:
    data: bytes
    content_type: str
    extension: str


def checked_upload(
    uploaded_file: UploadedFile,
    *,
    max_bytes: int,
    allowed: dict[str, frozenset[str]] = DOCUMENT_TYPES,
) -> CheckedUpload:
    """The bytes, their sniffed content type and the normalised extension, or a refusal."""
    too_big = _("文件不能超过%(mb)d MB。") % {"mb": max_bytes // (1024 * 1024)}
    if uploaded_file.size is not None and uploaded_file.size > max_bytes:
        raise DomainError(too_big, code="file_size")
    data = b"".join(uploaded_file.chunks())
    if len(data) > max_bytes:
        raise DomainError(too_big, code="file_size")
    if not data:
        raise DomainError(_("文件为空。"), code="file_empty")
    guessed = filetype.guess(data)
    content_type = guessed.mime if guessed is not None else ""
    if content_type not in allowed:
        raise DomainError(_("只能上传PDF、JPEG或PNG文件。"), code="file_type")
    extension = PurePath(uploaded_file.name or "").suffix.lower().lstrip(".")
    if extension not in allowed[content_type]:
        raise DomainError(
            _("文件扩展名与文件内容（%(type)s）不符。") % {"type": content_type},
            code="file_extension",
        )
    return CheckedUpload(data, content_type, extension)
