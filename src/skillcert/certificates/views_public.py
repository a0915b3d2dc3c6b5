"""The public verification page ``/verify/`` and the QR route ``/v/<number>/<token>``
(DESIGN.md "Contracts": public verification, QR code).

The page asks for 证书编号 + 姓名 or 姓名 + 身份证号; both are POSTed (an ID number never
goes in a URL) and rate-limited per client. A wrong entry, whichever field was wrong,
gets the one neutral message. The answer shows the authoritative record with the ID
number masked, the status in words, the current PDF's SHA-256 (an edited PDF hashes
differently) and the national query addresses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from skillcert.certificates import ratelimit, verification
from skillcert.certificates.content import default_query_addresses
from skillcert.certificates.verification import VerificationAnswer

MODE_NUMBER = "number"
MODE_ID = "id"


class NumberForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("证书编号"), max_length=40)
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=64)


class IdForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=64)
    # Never re-displayed: the page does not echo the full ID number back.
    id_number = forms.CharField(
        label=gettext_lazy("身份证号"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def not_found_message() -> str:
    return _("未查询到匹配的证书")


def _render(
    request: HttpRequest,
    *,
    mode: str = MODE_NUMBER,
    number_form: NumberForm | None = None,
    id_form: IdForm | None = None,
    answers: Sequence[VerificationAnswer] = (),
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "mode": mode,
        "number_form": number_form or NumberForm(prefix=MODE_NUMBER),
        "id_form": id_form or IdForm(prefix=MODE_ID),
        "answers": answers,
        "unknown": any(not a.is_known for a in answers),
        "error": error,
        "query_addresses": default_query_addresses(),
    }
    response = render(request, "certificates/verify.html", context, status=status)
    if answers or request.method == "POST":
        # Personal data: never kept by a browser or a shared cache.
        response["Cache-Control"] = "private, no-store"
    return response


def _too_many(request: HttpRequest, verdict: ratelimit.Verdict, mode: str) -> HttpResponse:
    response = _render(request, mode=mode, error=ratelimit.refusal_message(verdict), status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _answered(
    request: HttpRequest, answers: list[VerificationAnswer], **forms_: Any
) -> HttpResponse:
    if not answers:
        return _render(request, error=not_found_message(), status=404, **forms_)
    status = 200 if all(a.is_known for a in answers) else 503
    return _render(request, answers=answers, status=status, **forms_)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The form (GET, not limited) and its answer (POST, limited per client)."""
    if request.method == "GET":
        return _render(request)
    mode = MODE_ID if request.POST.get("mode") == MODE_ID else MODE_NUMBER
    verdict = ratelimit.hit(request)
    if not verdict.allowed:
        return _too_many(request, verdict, mode)
    if mode == MODE_ID:
        id_form = IdForm(request.POST, prefix=MODE_ID)
        if not id_form.is_valid():
            return _render(request, mode=mode, id_form=id_form, status=400)
        found = verification.lookup(id_form.cleaned_data["name"], id_form.cleaned_data["id_number"])
        # The ID number is not put back into the form.
        shown = IdForm(initial={"name": id_form.cleaned_data["name"]}, prefix=MODE_ID)
        return _answered(request, found, mode=mode, id_form=shown)
    number_form = NumberForm(request.POST, prefix=MODE_NUMBER)
    if not number_form.is_valid():
        return _render(request, mode=mode, number_form=number_form, status=400)
    answer = verification.verify_number(
        number_form.cleaned_data["number"], number_form.cleaned_data["name"]
    )
    return _answered(request, [answer] if answer else [], mode=mode, number_form=number_form)


@require_GET
def qr(request: HttpRequest, number: str, token: str) -> HttpResponse:
    """A scanned QR code: the record without typing. A bad token is the same 404 as an
    unknown number."""
    verdict = ratelimit.hit(request)
    if not verdict.allowed:
        return _too_many(request, verdict, MODE_NUMBER)
    answer = verification.verify_qr(number, token)
    if answer is None:
        raise Http404(not_found_message())
    status = 200 if answer.is_known else 503
    return _render(request, answers=[answer], status=status)
