"""The correction, reissue and revocation pages: the holder's application form and list,
the institution's decisions, the revoke form, pending revocations with 执行撤销.

Refusals sit beside the successes: the other institution and city B get 404, in-scope
roles that may not act get 403, and a refused post changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from skillcert.certificates import signing
from skillcert.certificates.changes import change_request_submit
from skillcert.certificates.choices import CertificateStatus, ChangeStatus, VersionReason
from skillcert.certificates.models import Certificate, CertificateVersion, ChangeRequest
from skillcert.core.models import AuditEvent
from skillcert.institutions.demo import minimal_pdf
from skillcert.results.choices import RevocationStatus
from skillcert.results.models import CertificateRevocation
from tests.certificates.conftest import CertKit
from tests.certificates.matrix_changes import issue_all, link_holder, void_after_issue
from tests.certificates.matrix_pages import signing_keys
from tests.enrollment.conftest import pdf
from tests.factories import resident_id

pytestmark = pytest.mark.django_db

NEW_ID = resident_id(area="530102", birth="19960315", serial=418)


@pytest.fixture(autouse=True)
def keys() -> Iterator[Path]:
    signing.clear_signers()
    with signing_keys() as folder:
        yield folder


@pytest.fixture
def held(ck: CertKit) -> Certificate:
    issue_all(ck)
    return link_holder(ck)


def client(ck: CertKit, role: str) -> Client:
    return ck.cast.client(role)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def reissue(ck: CertKit, certificate: Certificate, **extra: Any) -> ChangeRequest:
    return change_request_submit(
        actor=ck.cast.actor("candidate"),
        certificate=certificate,
        kind=VersionReason.REISSUE,
        reason="证书遗失。",
        **extra,
    )


# --- applying ------------------------------------------------------------------------------


def test_the_holder_applies_and_follows_the_request(ck: CertKit, held: Certificate) -> None:
    url = reverse("certificates-change-new", kwargs={"pk": held.pk})
    page = client(ck, "candidate").get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert held.number in html
    assert 'id="change-form"' in html
    assert f'value="{held.holder_name}"' in html  # the printed name to correct
    assert held.id_number.plain not in html  # only masked
    assert page["Cache-Control"] == "private, no-store"
    response = client(ck, "candidate").post(
        url,
        {
            "kind": "correction",
            "reason": "户籍登记信息已更正。",
            "holder_name": "张更正",
            "id_type": held.id_type,
            "new_id_number": NEW_ID,
            "evidence": pdf("户籍证明.pdf"),
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("certificates-change-list"), 302)]
    request = ChangeRequest.objects.get()
    assert (request.changes, request.new_id_number.plain) == ({"holder_name": "张更正"}, NEW_ID)
    assert request.evidence
    html = response.content.decode()
    assert "张更正" in html
    assert "待审核" in html
    assert NEW_ID not in html
    assert request.new_id_number.masked in html
    assert f'id="decide-{request.pk}"' not in html  # the holder does not decide


def test_a_refused_application_keeps_what_was_typed(ck: CertKit, held: Certificate) -> None:
    url = reverse("certificates-change-new", kwargs={"pk": held.pk})
    response = client(ck, "candidate").post(
        url,
        {"kind": "correction", "reason": "想改一下信息。", "holder_name": held.holder_name},
    )
    assert response.status_code == 200
    assert any("至少更正" in m for m in messages_of(response))
    assert "想改一下信息。" in response.content.decode()
    assert not ChangeRequest.objects.exists()
    # An incomplete form: the field's error as a message, nothing written.
    response = client(ck, "candidate").post(url, {"reason": "遗失。"})
    assert response.status_code == 200
    assert any("申请类型" in m for m in messages_of(response))
    assert not ChangeRequest.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("institution_b", 404), ("city_b", 404), ("city_a", 403), ("education", 403)],
)
def test_others_get_no_application_form(
    ck: CertKit, held: Certificate, role: str, status: int
) -> None:
    url = reverse("certificates-change-new", kwargs={"pk": held.pk})
    response = client(ck, role).post(url, {"kind": "reissue", "reason": "遗失。"})
    assert response.status_code == status
    assert not ChangeRequest.objects.exists()


# --- deciding -------------------------------------------------------------------------------


def test_the_institution_approves_from_its_list(ck: CertKit, held: Certificate) -> None:
    request = reissue(ck, held)
    listing = client(ck, "institution_a").get(reverse("certificates-change-list"))
    assert f'id="decide-{request.pk}"' in listing.content.decode()
    response = client(ck, "institution_a").post(
        reverse("certificates-change-decide", kwargs={"pk": request.pk}),
        {"approve": "1", "note": ""},
        follow=True,
    )
    assert any("已批准" in m for m in messages_of(response))
    request.refresh_from_db()
    assert request.status == ChangeStatus.APPROVED
    assert CertificateVersion.objects.filter(certificate=held).count() == 2
    assert "第2版" in response.content.decode()


def test_a_rejection_without_a_note_is_refused_on_the_page(ck: CertKit, held: Certificate) -> None:
    request = reissue(ck, held)
    url = reverse("certificates-change-decide", kwargs={"pk": request.pk})
    response = client(ck, "institution_a").post(url, {"approve": "0"}, follow=True)
    assert any("审核意见" in m for m in messages_of(response))
    request.refresh_from_db()
    assert request.status == ChangeStatus.SUBMITTED
    client(ck, "institution_a").post(url, {"approve": "0", "note": "材料不全。"})
    request.refresh_from_db()
    assert (request.status, request.decision_note) == (ChangeStatus.REJECTED, "材料不全。")


@pytest.mark.parametrize(
    ("role", "status"),
    [("city_a", 403), ("candidate", 403), ("institution_b", 404), ("city_b", 404)],
)
def test_only_the_issuing_institution_decides_on_the_page(
    ck: CertKit, held: Certificate, role: str, status: int
) -> None:
    request = reissue(ck, held)
    events = AuditEvent.objects.count()
    response = client(ck, role).post(
        reverse("certificates-change-decide", kwargs={"pk": request.pk}), {"approve": "1"}
    )
    assert response.status_code == status
    request.refresh_from_db()
    assert request.status == ChangeStatus.SUBMITTED
    assert AuditEvent.objects.count() == events


def test_the_authority_reads_the_list_without_deciding(ck: CertKit, held: Certificate) -> None:
    request = reissue(ck, held)
    html = client(ck, "city_a").get(reverse("certificates-change-list")).content.decode()
    assert held.number in html
    assert f'id="change-{request.pk}"' in html
    assert f'id="decide-{request.pk}"' not in html
    other = client(ck, "city_b").get(reverse("certificates-change-list")).content.decode()
    assert held.number not in other


def test_the_evidence_goes_to_those_who_judge_it(ck: CertKit, held: Certificate) -> None:
    request = reissue(ck, held, evidence=pdf("遗失声明.pdf"))
    url = reverse("certificates-change-evidence", kwargs={"pk": request.pk})
    for role in ("institution_a", "city_a", "candidate"):
        response = client(ck, role).get(url)
        assert response.status_code == 200, role
        assert b"".join(response.streaming_content) == minimal_pdf()  # type: ignore[attr-defined]
        assert response["Content-Type"] == "application/pdf"
    assert client(ck, "education").get(url).status_code == 403
    assert client(ck, "institution_b").get(url).status_code == 404


def test_no_evidence_no_file(ck: CertKit, held: Certificate) -> None:
    request = reissue(ck, held)
    url = reverse("certificates-change-evidence", kwargs={"pk": request.pk})
    assert client(ck, "institution_a").get(url).status_code == 404


def test_the_lists_cost_a_fixed_number_of_queries(
    ck: CertKit, held: Certificate, django_assert_num_queries: Any
) -> None:
    for certificate in Certificate.objects.exclude(pk=held.pk):
        change_request_submit(
            actor=ck.admin, certificate=certificate, kind=VersionReason.REISSUE, reason="遗失。"
        )
    reissue(ck, held)
    void_after_issue(ck, 1)
    void_after_issue(ck, 2)
    staff = client(ck, "institution_a")
    # session, user, membership; the count and the page of rows
    with django_assert_num_queries(5):
        response = staff.get(reverse("certificates-change-list"))
    assert len(response.context["rows"]) == 3
    with django_assert_num_queries(5):
        response = staff.get(reverse("certificates-revocations"))
    assert len(response.context["page"]) == 2


# --- revocation -------------------------------------------------------------------------------


def test_the_institution_revokes_on_the_form(ck: CertKit, held: Certificate) -> None:
    url = reverse("certificates-revoke", kwargs={"pk": held.pk})
    staff = client(ck, "institution_a")
    assert 'id="revoke-form"' in staff.get(url).content.decode()
    for body in ({"reason": ""}, {}):
        refused = staff.post(url, body)
        assert refused.status_code == 200
        assert any("撤销原因" in m for m in messages_of(refused))
    held.refresh_from_db()
    assert held.status == CertificateStatus.VALID
    response = staff.post(url, {"reason": "经查实，冒名顶替参加考核。"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    held.refresh_from_db()
    assert (held.status, held.revoked_reason) == (
        CertificateStatus.REVOKED,
        "经查实，冒名顶替参加考核。",
    )
    html = response.content.decode()
    assert 'id="already-revoked"' in html
    assert 'id="revoke-form"' not in html
    again = staff.post(url, {"reason": "再次"})
    assert any("已撤销" in m for m in messages_of(again))


@pytest.mark.parametrize(
    ("role", "status"),
    [("candidate", 403), ("education", 403), ("city_b", 404), ("institution_b", 404)],
)
def test_others_may_not_revoke_on_the_page(
    ck: CertKit, held: Certificate, role: str, status: int
) -> None:
    url = reverse("certificates-revoke", kwargs={"pk": held.pk})
    assert client(ck, role).post(url, {"reason": "撤销"}).status_code == status
    held.refresh_from_db()
    assert held.status == CertificateStatus.VALID


def test_the_authority_revokes_on_the_form(ck: CertKit, held: Certificate) -> None:
    url = reverse("certificates-revoke", kwargs={"pk": held.pk})
    client(ck, "city_a").post(url, {"reason": "属地人社部门查实违规。"})
    held.refresh_from_db()
    assert held.status == CertificateStatus.REVOKED


@pytest.mark.parametrize("role", ["institution_a", "city_a"])
def test_pending_revocations_are_carried_out_from_the_list(
    ck: CertKit, held: Certificate, role: str
) -> None:
    void_after_issue(ck, 1)
    row = CertificateRevocation.objects.get(application=ck.passed[1])
    certificate = Certificate.objects.get(application=ck.passed[1])
    listing = client(ck, role).get(reverse("certificates-revocations"))
    html = listing.content.decode()
    assert certificate.number in html
    assert f'id="carry-out-{row.pk}"' in html
    url = reverse("certificates-revocations-carry-out", kwargs={"pk": row.pk})
    response = client(ck, role).post(url, follow=True)
    assert any(certificate.number in m and "已撤销" in m for m in messages_of(response))
    assert 'id="no-revocations"' in response.content.decode()
    row.refresh_from_db()
    certificate.refresh_from_db()
    assert (row.status, certificate.status) == (RevocationStatus.DONE, CertificateStatus.REVOKED)
    repeated = client(ck, role).post(url, follow=True)
    assert any("已办理" in m for m in messages_of(repeated))


@pytest.mark.parametrize(
    ("role", "status"), [("institution_b", 404), ("city_b", 404), ("education", 403)]
)
def test_others_carry_out_nothing(ck: CertKit, held: Certificate, role: str, status: int) -> None:
    void_after_issue(ck, 1)
    row = CertificateRevocation.objects.get(application=ck.passed[1])
    url = reverse("certificates-revocations-carry-out", kwargs={"pk": row.pk})
    assert client(ck, role).post(url).status_code == status
    row.refresh_from_db()
    assert row.status == RevocationStatus.PENDING
    listing = client(ck, "city_b").get(reverse("certificates-revocations"))
    assert f'id="revocation-{row.pk}"' not in listing.content.decode()
