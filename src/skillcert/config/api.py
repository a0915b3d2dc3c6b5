"""The JSON API at /api/v1/: session auth for the browser, bearer tokens for integrations."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import APIKeyCookie, HttpBearer

from skillcert.batches.api import router as batches_router
from skillcert.catalog.api import router as catalog_router
from skillcert.certificates.api import router as certificates_router
from skillcert.core.actors import Actor
from skillcert.core.api import router as core_router
from skillcert.core.errors import DomainError
from skillcert.core.middleware import resolve_actor
from skillcert.core.services import api_token_authenticate
from skillcert.enrollment.api import router as enrollment_router
from skillcert.exams.api import router as exams_router
from skillcert.institutions.api import router as institutions_router
from skillcert.itembank.api import router as itembank_router


class SessionAuth(APIKeyCookie):
    """The browser's Django session (CSRF checked on unsafe methods)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        # ActorMiddleware has usually resolved it already.
        actor = getattr(request, "actor", None) or resolve_actor(request)
        if actor.user is None:
            return None
        request.actor = actor  # type: ignore[attr-defined]  # see ActorRequest
        return actor


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sk_…`` — a token acting as one membership."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = api_token_authenticate(token)
        if found is None:
            return None
        actor = Actor(user=found.membership.user, membership=found.membership)
        request.actor = actor  # type: ignore[attr-defined]  # see ActorRequest
        request.user = found.membership.user
        return actor


api = NinjaAPI(
    title="SkillCert API",
    version="1",
    description="职业技能等级认定平台 JSON API",
    urls_namespace="api",
    auth=[SessionAuth(csrf=True), TokenAuth()],
    openapi_url="/openapi.json",
    # The interactive docs page loads Swagger UI from a CDN; we serve no third-party CDN assets.
    docs_url=None,
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": exc.code, "detail": str(exc.message), **getattr(exc, "extra", {})},
        status=exc.status,
    )


api.add_router("/", core_router)
api.add_router("/catalog/", catalog_router)
api.add_router("/", institutions_router)
api.add_router("/", batches_router)
api.add_router("/", enrollment_router)
api.add_router("/", itembank_router)
api.add_router("/", exams_router)
api.add_router("/", certificates_router)
