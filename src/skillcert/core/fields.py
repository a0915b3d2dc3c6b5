"""A model field for personal data: encrypted at rest, masked when shown."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute

from skillcert.core import crypto
from skillcert.core.masking import mask


class Protected:
    """A decrypted value that prints masked.

    Not a ``str``: templates, ``str()`` and f-strings give ``530102********1234``,
    JSON encoders refuse it, and the full value is handed out only by
    ``core.personal.personal_reveal`` (audited) or read as ``.plain`` inside services.
    """

    __slots__ = ("kind", "plain")

    def __init__(self, value: str, kind: str) -> None:
        self.plain = value
        self.kind = kind

    @property
    def masked(self) -> str:
        return mask(self.kind, self.plain)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"<Protected {self.kind} {self.masked}>"

    def __format__(self, spec: str) -> str:
        return format(self.masked, spec)

    def __bool__(self) -> bool:
        return bool(self.plain)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Protected):
            return self.plain == other.plain
        if isinstance(other, str):
            return self.plain == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.plain)


class _ProtectedAttribute(DeferredAttribute):
    """Wraps assigned plain strings at once, so an unsaved object never holds a bare value."""

    def __set__(self, instance: models.Model, value: Any) -> None:
        if value is not None and not isinstance(value, Protected):
            value = Protected(str(value), self.field.kind)  # type: ignore[attr-defined]
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]  # value type is str
    """Stores AES-GCM ciphertext; reads come back as :class:`Protected`."""

    descriptor_class = _ProtectedAttribute

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Protected:
        return Protected(crypto.decrypt(value or ""), self.kind)

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, Protected):
            return value
        return Protected(str(value), self.kind)

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        plain = value.plain if isinstance(value, Protected) else str(value)
        return crypto.encrypt(plain)

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata, fixtures) carries the masked form, never the plain value.
        return mask(self.kind, getattr(obj, self.attname).plain)
