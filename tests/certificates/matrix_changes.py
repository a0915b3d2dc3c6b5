"""Access-matrix entries for the correction, reissue and revocation URLs (read by
tests/core/test_access_matrix), and the issued world their tests share.

``issue_all(ck)`` issues every passed candidate's certificate of the certificates world
(tests/certificates/conftest.py) through ``issue_application``, as the issuance run
does; ``link_holder(ck)`` makes the cast's candidate the holder of the first one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from skillcert.certificates.changes import change_request_submit
from skillcert.certificates.choices import VersionReason
from skillcert.certificates.issuance import issue_application
from skillcert.certificates.models import Certificate
from skillcert.results import invalidation
from skillcert.results.choices import ViolationGrade
from skillcert.results.models import CertificateRevocation
from tests.certificates.conftest import CertKit, build_issuable
from tests.certificates.matrix_pages import signing_keys
from tests.conftest import CAST_ROLES, Cast
from tests.enrollment.conftest import pdf

Entry = tuple[Callable[[Cast], dict[str, Any]], dict[str, int]]


def issue_all(ck: CertKit) -> list[Certificate]:
    """Every passed candidate's certificate, in the order of ``ck.passed``."""
    made = []
    for application in ck.passed:
        _outcome, certificate = issue_application(actor=ck.admin, application_id=application.pk)
        assert certificate is not None
        made.append(certificate)
    return made


def link_holder(ck: CertKit, index: int = 0) -> Certificate:
    """Make the cast's candidate the person of passed candidate ``index``."""
    person = ck.passed[index].person
    person.user = ck.cast.users["candidate"]
    person.save(update_fields=["user"])
    return Certificate.objects.select_related("person").get(application=ck.passed[index])


def void_after_issue(ck: CertKit, index: int, reason: str = "冒名顶替参加考核。") -> None:
    """A serious violation found after approval: every subject void (一(四))."""
    invalidation.result_void(
        actor=ck.admin,
        application=ck.passed[index],
        grade=ViolationGrade.SERIOUS,
        reason=reason,
    )


def _world(c: Cast) -> dict[str, int]:
    """Institution A's issued certificates: the first held by the cast candidate, with an
    open reissue application and its evidence; the second's result voided since, so its
    revocation is pending (built once)."""
    cached: dict[str, int] | None = getattr(c, "_certificates_changes", None)
    if cached is None:
        ck = build_issuable(c)
        with signing_keys():
            issue_all(ck)
        certificate = link_holder(ck)
        request = change_request_submit(
            actor=c.actor("candidate"),
            certificate=certificate,
            kind=VersionReason.REISSUE,
            reason="证书遗失。",
            evidence=pdf("遗失声明.pdf"),
        )
        void_after_issue(ck, 1)
        cached = {
            "certificate": certificate.pk,
            "request": request.pk,
            "revocation": CertificateRevocation.objects.get(application=ck.passed[1]).pk,
        }
        c._certificates_changes = cached  # type: ignore[attr-defined]
    return cached


def _kw(key: str) -> Callable[[Cast], dict[str, Any]]:
    return lambda c: {"pk": _world(c)[key]}


POST_ONLY = {**dict.fromkeys(CAST_ROLES, 405), "anonymous": 302}
# Institution A's certificate: the province (HR and education) and city A see it, city B
# and institution B do not; the cast's examiner acts for themself and holds none of it.
IN_CITY_A = {
    "anonymous": 302,
    "province": 200,
    "city_a": 200,
    "city_b": 404,
    "education": 200,
    "institution_a": 200,
    "institution_b": 404,
    "examiner": 404,
    "candidate": 200,
}
# The holder applies, or the issuing institution's staff for them.
APPLICANTS = {**IN_CITY_A, "province": 403, "city_a": 403, "education": 403}
# The holder, the issuing institution and its HR authority; education officials read
# certification data, not identity documents.
EVIDENCE_READERS = {**IN_CITY_A, "education": 403}
# The issuing institution's staff and the HR authority over it revoke.
REVOKERS = {**IN_CITY_A, "education": 403, "candidate": 403}
# Lists: staff and HR officials read their scope (empty for B); persons their own.
LIST_READERS = {**dict.fromkeys(CAST_ROLES, 200), "anonymous": 302, "education": 403}
REVOCATION_READERS = {**LIST_READERS, "examiner": 403, "candidate": 403}


def certificates_changes_matrix() -> dict[str, Entry]:
    return {
        "certificates-change-new": (_kw("certificate"), APPLICANTS),
        "certificates-change-list": (lambda c: (_world(c), {})[1], LIST_READERS),
        "certificates-change-evidence": (_kw("request"), EVIDENCE_READERS),
        "certificates-change-decide": (_kw("request"), POST_ONLY),
        "certificates-revoke": (_kw("certificate"), REVOKERS),
        "certificates-revocations": (lambda c: (_world(c), {})[1], REVOCATION_READERS),
        "certificates-revocations-carry-out": (_kw("revocation"), POST_ONLY),
    }
