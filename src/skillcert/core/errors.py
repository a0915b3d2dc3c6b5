"""The one domain error type: services raise it, views and the API translate it."""

from __future__ import annotations

from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.functional import Promise


class DomainError(Exception):
    """A refused action, with a message for the user in their language.

    ``code`` is stable for API clients; ``status`` is the HTTP status the API answers.
    """

    status = 400

    def __init__(self, message: str | Promise, *, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


class PermissionDenied(DomainError):
    status = 403

    def __init__(self, message: str | Promise, *, code: str = "forbidden") -> None:
        super().__init__(message, code=code)


class InvalidTransition(DomainError):
    status = 409

    def __init__(self, message: str | Promise, *, code: str = "invalid_state") -> None:
        super().__init__(message, code=code)


def clean_or_raise(obj: Model, *, exclude: Collection[str] | None = None) -> None:
    """``full_clean`` with Django's messages turned into one :class:`DomainError`."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages)) from exc
