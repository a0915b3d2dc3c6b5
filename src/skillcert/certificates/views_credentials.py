"""The published status lists of the issuers' credentials (W3C Bitstring Status List).

Public and without login: a verifier holding a certificate's credential fetches the list
its ``credentialStatus`` names to learn whether the certificate was revoked
(云人社函〔2023〕1号 一(四)). The list is one bitstring per institution and names nobody.
"""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from skillcert.certificates import statuslists

# W3C VC Data Model 2.0 §6.3: the media type of a secured credential.
MEDIA_TYPE = "application/vc+ld+json"
# Verifiers may cache the list briefly; a revocation shows within a minute.
MAX_AGE = 60


@require_safe
def status_list(request: HttpRequest, institution_pk: int) -> HttpResponse:
    """The institution's signed status list credential, as JSON."""
    credential = statuslists.published_status_list(institution_pk)
    if credential is None:
        raise Http404(_("没有该评价机构的证书状态列表。"))
    body = json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body.encode("utf-8"), content_type=f"{MEDIA_TYPE}; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"  # verifiers run in other sites' pages
    return response
