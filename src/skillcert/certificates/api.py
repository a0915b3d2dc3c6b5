"""The certificates JSON API: public verification (DESIGN.md "Contracts").

``GET /api/v1/public/certificates/{number}?name=…`` and
``POST /api/v1/public/certificates/lookup`` with ``{"name", "id_number"}`` (the ID number
only ever in a body). No authentication, so no session and no CSRF token either; every
call counts against the client's rate limit. A wrong name and a wrong number answer the
same 404 body byte for byte; a status that cannot be established answers 503 with
``"status": "unknown"``, never a valid certificate. Nothing here logs a request body.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from ninja import Router, Schema

from skillcert.certificates import ratelimit, verification
from skillcert.certificates.verification import VerificationAnswer

router = Router(tags=["certificates"])


class VerificationOut(Schema):
    number: str
    status: str  # valid | revoked
    status_text: str
    holder_name: str
    id_type: str
    id_number_masked: str
    occupation_name: str
    occupation_code: str
    work_type: str
    level: int | None
    level_text: str
    institution: str
    issue_date: date | None
    version: int | None
    pdf_sha256: str
    revoked_at: datetime | None


class LookupIn(Schema):
    name: str
    id_number: str


class LookupOut(Schema):
    results: list[VerificationOut]


class ErrorOut(Schema):
    code: str
    detail: str


class UnknownOut(ErrorOut):
    status: str
    number: str


_ERRORS: dict[int, Any] = {404: ErrorOut, 429: ErrorOut, 503: UnknownOut}


def _json(body: dict[str, Any], status: int) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


def _not_found() -> JsonResponse:
    return _json({"code": "not_found", "detail": _("未查询到匹配的证书")}, 404)


def _too_many(verdict: ratelimit.Verdict) -> JsonResponse:
    response = _json({"code": "rate_limited", "detail": ratelimit.refusal_message(verdict)}, 429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _unknown(number: str) -> JsonResponse:
    detail = _("暂时无法确认证书状态，请稍后再试。")
    return _json({"code": "unknown", "status": "unknown", "number": number, "detail": detail}, 503)


def _out(answer: VerificationAnswer) -> dict[str, Any]:
    return {
        "number": answer.number,
        "status": answer.status,
        "status_text": answer.status_text,
        "holder_name": answer.holder_name,
        "id_type": answer.id_type,
        "id_number_masked": answer.id_number_masked,
        "occupation_name": answer.occupation_name,
        "occupation_code": answer.occupation_code,
        "work_type": answer.work_type,
        "level": answer.level,
        "level_text": answer.level_text,
        "institution": answer.institution,
        "issue_date": answer.issue_date.isoformat() if answer.issue_date else None,
        "version": answer.version,
        "pdf_sha256": answer.pdf_sha256,
        # In the deployment's time zone (Asia/Shanghai), as the page shows it.
        "revoked_at": localtime(answer.revoked_at).isoformat() if answer.revoked_at else None,
    }


# Declared before ``{number}``: "lookup" would match that path too.
@router.post(
    "/public/certificates/lookup",
    auth=None,
    response={200: LookupOut, **_ERRORS},
    summary="Find certificates by the holder's name and ID number (public; rate-limited)",
)
def public_certificate_lookup(request: HttpRequest, body: LookupIn) -> HttpResponse:
    verdict = ratelimit.hit(request)
    if not verdict.allowed:
        return _too_many(verdict)
    found = verification.lookup(body.name, body.id_number)
    if not found:
        return _not_found()
    if any(not a.is_known for a in found):
        return _unknown("")
    return _json({"results": [_out(a) for a in found]}, 200)


@router.get(
    "/public/certificates/{number}",
    auth=None,
    response={200: VerificationOut, **_ERRORS},
    summary="Verify a certificate by its number and the holder's name (public; rate-limited)",
)
def public_certificate(request: HttpRequest, number: str, name: str) -> HttpResponse:
    # Built by hand rather than through the schema: this is the benchmarked hot path.
    verdict = ratelimit.hit(request)
    if not verdict.allowed:
        return _too_many(verdict)
    answer = verification.verify_number(number, name)
    if answer is None:
        return _not_found()
    if not answer.is_known:
        return _unknown(answer.number)
    return _json(_out(answer), 200)
