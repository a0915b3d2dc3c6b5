"""Small helpers shared by every app's views."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.http import content_disposition_header

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


def forbidden(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The 403 page, with the refusal's reason when there is one."""
    return render(request, "core/forbidden.html", {"reason": reason}, status=403)


def file_response(
    data: bytes, filename: str, content_type: str, *, inline: bool = False
) -> HttpResponse:
    """A generated file (PDF, Excel) with a UTF-8 file name. Such files carry names and
    scores, so they stay out of shared caches."""
    response = HttpResponse(data, content_type=content_type)
    fallback = "inline" if inline else "attachment"
    response["Content-Disposition"] = content_disposition_header(not inline, filename) or fallback
    response["Cache-Control"] = "private, no-store"
    return response
