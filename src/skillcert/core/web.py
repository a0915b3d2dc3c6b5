"""Small helpers shared by every app's views."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.functional import Promise

from skillcert.core.errors import DomainError

T = TypeVar("T")


def run_action(
    request: HttpRequest, action: Callable[[], T], *, success: str | Promise
) -> T | None:
    """Call a service; a refusal becomes an error message for the user, success a notice."""
    try:
        result = action()
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return None
    messages.success(request, str(success))
    return result


def form_errors_to_messages(request: HttpRequest, form: forms.Form) -> None:
    """For forms posted from a page that redirects back: each error becomes a message."""
    for field, problems in form.errors.as_data().items():
        label = form.fields[field].label if field in form.fields else ""
        for problem in problems:
            text = " ".join(str(m) for m in problem.messages)
            messages.error(request, f"{label}：{text}" if label else text)
