"""The certificate pages: the institution's batch page (issue, progress, resume, held
students), a certificate's record, the candidate's 我的证书 and the authorities' search,
with the refusals of every other role.

The world (tests/certificates/conftest.py): a level-5 车工 batch of institution A whose
results city A's centre approved; the cast candidate is the first passed candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from skillcert.batches.choices import BatchStatus
from skillcert.catalog.choices import EducationLevel, SchoolType
from skillcert.certificates import issuance, revocation
from skillcert.certificates.choices import RunStatus
from skillcert.certificates.models import Certificate, IssuanceRun
from skillcert.certificates.tokens import verification_url
from skillcert.core.models import AuditEvent
from skillcert.enrollment.models import Application, EducationRecord
from skillcert.enrollment.services import persons
from tests.certificates.conftest import CertKit, build_issuable
from tests.certificates.matrix_pages import keys_for_test, link_candidate, run_now
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def signing_keys(settings: Any, tmp_path: Path) -> Path:
    return keys_for_test(settings, tmp_path / "keys")


@pytest.fixture
def ck(cast: Cast) -> CertKit:
    kit = build_issuable(cast, passed=3, failed=1)
    link_candidate(kit)
    return kit


def batch_url(ck: CertKit, name: str = "certificates-batch") -> str:
    return reverse(name, kwargs={"batch_pk": ck.batch.pk})


def client(ck: CertKit, role: str) -> Client:
    return ck.cast.client(role)


def issue_in_browser(ck: CertKit, capture: Capture, role: str = "institution_a") -> Any:
    """Staff press 发放证书; the task runs once the request has committed, then the
    browser follows the redirect back to the batch page."""
    browser = client(ck, role)
    with capture(execute=True):
        response = browser.post(batch_url(ck, "certificates-issue"))
    assert response.status_code == 302
    return browser.get(response["Location"])


def full_ids(ck: CertKit) -> list[str]:
    return [a.person.id_number.plain for a in ck.passed + ck.failed]


# --- the batch page ---------------------------------------------------------------------


def test_staff_issue_the_batch_and_see_its_certificates_masked(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    page = client(ck, "institution_a").get(batch_url(ck))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="action-issue"' in html
    assert 'id="no-run"' in html

    response = issue_in_browser(ck, django_capture_on_commit_callbacks)
    html = response.content.decode()
    assert response.request["PATH_INFO"] == batch_url(ck)
    assert "已开始发证" in html
    run = IssuanceRun.objects.get(batch=ck.batch)
    assert (run.status, run.done, run.total) == (RunStatus.DONE, 3, 3)
    assert 'id="run-status" data-status="done"' in html
    assert '<progress id="run-bar" value="100"' in html
    assert "hx-trigger" not in html  # nothing left to poll
    assert 'id="action-issue"' not in html  # the batch is 证书已发放
    assert 'data-status="certificates_issued"' in html
    for certificate in Certificate.objects.filter(batch=ck.batch):
        assert certificate.number in html
        assert certificate.id_number.masked in html
        assert reverse("certificates-detail", args=[certificate.pk]) in html
    for full in full_ids(ck):
        assert full not in html
    assert ck.failed[0].person.full_name not in html


def test_the_authorities_read_the_batch_page_without_actions(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    issue_in_browser(ck, django_capture_on_commit_callbacks)
    for role in ("city_a", "province"):
        page = client(ck, role).get(batch_url(ck))
        assert page.status_code == 200, role
        html = page.content.decode()
        assert Certificate.objects.filter(batch=ck.batch).first().number in html  # type: ignore[union-attr]
        assert 'id="actions"' not in html
        assert 'id="summary-xlsx"' in html


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("institution_b", 404),
        ("city_b", 404),
        ("examiner", 404),
        ("education", 403),
        ("candidate", 403),  # their own batch, not its other candidates
        ("anonymous", 302),
    ],
)
def test_others_cannot_read_the_batch_page(ck: CertKit, role: str, status: int) -> None:
    assert client(ck, role).get(batch_url(ck)).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("city_a", 403), ("education", 403), ("institution_b", 404), ("city_b", 404)],
)
def test_only_the_institution_issues(
    ck: CertKit, django_capture_on_commit_callbacks: Capture, role: str, status: int
) -> None:
    events = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client(ck, role).post(batch_url(ck, "certificates-issue"))
    assert response.status_code == status
    assert not IssuanceRun.objects.exists()
    assert not Certificate.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_refused_issue_is_a_message_and_writes_nothing(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    issue_in_browser(ck, django_capture_on_commit_callbacks)
    events = AuditEvent.objects.count()
    response = issue_in_browser(ck, django_capture_on_commit_callbacks)
    assert "该批次证书已全部发放" in response.content.decode()
    assert IssuanceRun.objects.count() == 1
    assert Certificate.objects.count() == 3
    assert AuditEvent.objects.count() == events


def test_the_progress_is_polled_until_the_run_finishes(ck: CertKit) -> None:
    # Queued, and the task not run yet (its commit never comes in this test).
    run = issuance.issue_batch(actor=ck.admin, batch=ck.batch)
    staff = client(ck, "institution_a")
    html = staff.get(batch_url(ck)).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert 'data-status="queued"' in html
    assert 'id="action-issue"' not in html  # one run at a time
    fragment = staff.get(batch_url(ck), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "HX-Refresh" not in fragment.headers
    text = fragment.content.decode()
    assert text.lstrip().startswith('<section id="run-progress"')
    assert "<html" not in text
    claimed = issuance.claim_run(run.pk)
    assert claimed is not None
    issuance.run_issuance(claimed)
    done = staff.get(batch_url(ck), headers={"HX-Request": "true"})
    assert done.headers["HX-Refresh"] == "true"
    assert 'data-status="done"' in done.content.decode()
    assert "hx-trigger" not in done.content.decode()


def test_a_broken_run_is_resumed_from_the_page(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    run = issuance.issue_batch(actor=ck.admin, batch=ck.batch)
    IssuanceRun.objects.filter(pk=run.pk).update(
        status=RunStatus.ERROR, error="发证时发生系统错误", finished_at=timezone.now()
    )
    staff = client(ck, "institution_a")
    html = staff.get(batch_url(ck)).content.decode()
    assert 'id="action-resume"' in html
    assert 'id="run-error"' in html
    resume_url = reverse("certificates-resume", kwargs={"batch_pk": ck.batch.pk, "run_pk": run.pk})
    # The authority reads the page but may not resume.
    assert client(ck, "city_a").post(resume_url).status_code == 403
    assert client(ck, "institution_b").post(resume_url).status_code == 404
    run.refresh_from_db()
    assert run.status == RunStatus.ERROR
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(resume_url, follow=True)
    assert "已继续发证" in response.content.decode()
    run.refresh_from_db()
    assert (run.status, run.done) == (RunStatus.DONE, 3)
    assert Certificate.objects.count() == 3


def test_a_stale_running_run_can_be_resumed(ck: CertKit) -> None:
    run = issuance.issue_batch(actor=ck.admin, batch=ck.batch)
    stale = timezone.now() - issuance.STALE_AFTER * 2
    IssuanceRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, heartbeat_at=stale)
    html = client(ck, "institution_a").get(batch_url(ck)).content.decode()
    assert 'id="action-resume"' in html
    assert "hx-trigger" not in html  # it no longer moves


def test_held_students_are_listed_and_issued_once_verified(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    student = ck.passed[1]
    Application.objects.filter(pk=student.pk).update(diploma_pending=True)
    issue_in_browser(ck, django_capture_on_commit_callbacks)
    staff = client(ck, "institution_a")
    html = staff.get(batch_url(ck)).content.decode()
    assert f'id="held-{student.pk}"' in html
    assert f'id="issue-held-{student.pk}"' not in html
    held_url = reverse(
        "certificates-issue-held", kwargs={"batch_pk": ck.batch.pk, "application_pk": student.pk}
    )
    # Still pending: the service refuses, the page says why.
    response = staff.post(held_url, follow=True)
    assert "毕业证书尚未核验" in response.content.decode()
    assert not Certificate.objects.filter(application=student).exists()

    Application.objects.filter(pk=student.pk).update(diploma_pending=False)
    html = staff.get(batch_url(ck)).content.decode()
    assert f'id="held-{student.pk}"' not in html
    assert f'id="issue-held-{student.pk}"' in html
    assert client(ck, "city_a").post(held_url).status_code == 403
    assert client(ck, "institution_b").post(held_url).status_code == 404
    assert not Certificate.objects.filter(application=student).exists()
    response = staff.post(held_url, follow=True)
    assert "已为" in response.content.decode()
    assert Certificate.objects.filter(application=student).exists()
    ck.batch.refresh_from_db()
    assert ck.batch.status == BatchStatus.CERTIFICATES_ISSUED
    # An application of another batch is not found through this one.
    other = reverse(
        "certificates-issue-held",
        kwargs={"batch_pk": ck.batch.pk, "application_pk": ck.failed[0].pk + 1000},
    )
    assert staff.post(other).status_code == 404


def test_the_batch_page_costs_the_same_queries_for_two_and_four_certificates(
    cast: Cast,
) -> None:
    """No N+1 (STYLE.md 9): two issued and two held, then all four issued."""
    ck = build_issuable(cast, passed=4, failed=0)
    later = ck.passed[2:]
    Application.objects.filter(pk__in=[a.pk for a in later]).update(diploma_pending=True)
    run_now(ck.admin, ck)
    staff = client(ck, "institution_a")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff.get(batch_url(ck)).status_code == 200
        return len(captured.captured_queries)

    assert Certificate.objects.count() == 2
    baseline = count()
    Application.objects.filter(pk__in=[a.pk for a in later]).update(diploma_pending=False)
    for application in later:
        issuance.issue_held(actor=ck.admin, application=application)
    assert Certificate.objects.count() == 4
    assert count() == baseline


# --- one certificate ----------------------------------------------------------------------


def test_the_holder_and_the_institution_read_the_record(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    issue_in_browser(ck, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(application=ck.passed[0])
    url = reverse("certificates-detail", args=[certificate.pk])
    for role in ("candidate", "institution_a", "city_a", "province"):
        page = client(ck, role).get(url)
        assert page.status_code == 200, role
        html = page.content.decode()
        assert certificate.number in html
        assert certificate.id_number.masked in html
        assert certificate.id_number.plain not in html
        assert verification_url(certificate.number, 1) in html
        assert reverse("certificates-pdf", args=[certificate.pk, 1]) in html
        assert reverse("certificates-credential", args=[certificate.pk, 1]) in html
    # Only the batch's readers get the link to the batch page.
    assert 'id="batch-link"' in client(ck, "city_a").get(url).content.decode()
    assert 'id="batch-link"' not in client(ck, "candidate").get(url).content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("institution_b", 404),
        ("city_b", 404),
        ("examiner", 404),
        ("education", 403),
        ("anonymous", 302),
    ],
)
def test_others_cannot_read_a_certificate(
    ck: CertKit, django_capture_on_commit_callbacks: Capture, role: str, status: int
) -> None:
    issue_in_browser(ck, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(application=ck.passed[0])
    assert (
        client(ck, role).get(reverse("certificates-detail", args=[certificate.pk])).status_code
        == status
    )


def test_a_candidate_sees_only_their_own_certificate(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    issue_in_browser(ck, django_capture_on_commit_callbacks)
    other = Certificate.objects.get(application=ck.passed[1])
    candidate = client(ck, "candidate")
    assert candidate.get(reverse("certificates-detail", args=[other.pk])).status_code == 404
    mine = candidate.get(reverse("certificates-mine"))
    assert mine.status_code == 200
    html = mine.content.decode()
    own = Certificate.objects.get(application=ck.passed[0])
    assert f'id="mine-{own.pk}"' in html
    assert verification_url(own.number, own.version) in html
    assert f'id="pdf-{own.pk}"' in html
    assert f'id="credential-{own.pk}"' in html
    assert other.number not in html
    assert other.holder_name not in html


def test_my_certificates_is_empty_for_someone_without_any(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    issue_in_browser(ck, django_capture_on_commit_callbacks)
    # Staff see the institution's certificates elsewhere; "mine" is only their own.
    html = client(ck, "institution_a").get(reverse("certificates-mine")).content.decode()
    assert 'id="no-certificates"' in html
    assert Certificate.objects.first().number not in html  # type: ignore[union-attr]


# --- the search -------------------------------------------------------------------------


def row(number: str) -> str:
    return f'data-number="{number}"'


def test_the_authorities_search_by_number_or_name_within_their_scope(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    issue_in_browser(ck, django_capture_on_commit_callbacks)
    first, second = Certificate.objects.order_by("number")[:2]
    url = reverse("certificates-list")
    city = client(ck, "city_a")
    html = city.get(url).content.decode()
    assert all(row(c.number) in html for c in Certificate.objects.all())
    by_number = city.get(url, {"q": first.number}).content.decode()
    assert row(first.number) in by_number
    assert row(second.number) not in by_number
    by_prefix = city.get(url, {"q": first.number[:16].lower()}).content.decode()
    assert row(first.number) in by_prefix
    assert row(second.number) in by_prefix
    by_name = city.get(url, {"q": f" {second.holder_name} "}).content.decode()
    assert row(second.number) in by_name
    assert row(first.number) not in by_name
    assert first.id_number.plain not in html
    # City B and institution B search their own scope: nothing of institution A.
    for role in ("city_b", "institution_b"):
        other = client(ck, role).get(url, {"q": first.number})
        assert other.status_code == 200
        assert row(first.number) not in other.content.decode()
    for role, status in (("education", 403), ("candidate", 403), ("anonymous", 302)):
        assert client(ck, role).get(url).status_code == status


def test_the_search_is_paginated_and_keeps_the_query(
    ck: CertKit, django_capture_on_commit_callbacks: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from skillcert.certificates import views_pages

    monkeypatch.setattr(views_pages, "PAGE_SIZE", 2)
    issue_in_browser(ck, django_capture_on_commit_callbacks)
    numbers = list(
        Certificate.objects.order_by("-issue_date", "number").values_list("number", flat=True)
    )
    url = reverse("certificates-list")
    city = client(ck, "city_a")
    first = city.get(url, {"q": numbers[0][:16]}).content.decode()
    assert row(numbers[0]) in first
    assert row(numbers[2]) not in first
    assert f'href="?q={numbers[0][:16]}&amp;page=2"' in first
    second = city.get(url, {"q": numbers[0][:16], "page": "2"}).content.decode()
    assert row(numbers[2]) in second
    assert row(numbers[0]) not in second


# --- the diploma hook ---------------------------------------------------------------------


def graduate_record(ck: CertKit, application: Application) -> EducationRecord:
    return persons.education_add(
        actor=ck.admin,
        person=application.person,
        school="昆明技工学校",
        school_type=SchoolType.TECHNICAL_SCHOOL,
        education_level=EducationLevel.SECONDARY,
        major="数控车工",
        graduated_on=timezone.localdate(),
    )


def test_verifying_the_diploma_issues_the_held_certificate(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    student = ck.passed[1]
    Application.objects.filter(pk=student.pk).update(diploma_pending=True)
    issue_in_browser(ck, django_capture_on_commit_callbacks)
    assert not Certificate.objects.filter(application=student).exists()
    record = graduate_record(ck, student)
    released = persons.diploma_verify(
        actor=ck.admin, person=student.person, education_record=record
    )
    assert released == 1
    certificate = Certificate.objects.get(application=student)
    assert certificate.versions.get(version=1).pdf
    assert AuditEvent.objects.filter(action="certificates.issue").count() == 3
    ck.batch.refresh_from_db()
    assert ck.batch.status == BatchStatus.CERTIFICATES_ISSUED


def test_an_authority_verifying_leaves_the_certificate_to_the_staff(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    student = ck.passed[1]
    Application.objects.filter(pk=student.pk).update(diploma_pending=True)
    issue_in_browser(ck, django_capture_on_commit_callbacks)
    record = graduate_record(ck, student)
    persons.diploma_verify(
        actor=ck.cast.actor("city_a"), person=student.person, education_record=record
    )
    assert not Certificate.objects.filter(application=student).exists()
    html = client(ck, "institution_a").get(batch_url(ck)).content.decode()
    assert f'id="issue-held-{student.pk}"' in html


def test_verifying_before_the_batch_issues_only_releases(ck: CertKit) -> None:
    student = ck.passed[1]
    Application.objects.filter(pk=student.pk).update(diploma_pending=True)
    record = graduate_record(ck, student)
    assert (
        persons.diploma_verify(actor=ck.admin, person=student.person, education_record=record) == 1
    )
    assert not Certificate.objects.exists()  # the batch's run will issue it
    student.refresh_from_db()
    assert not student.diploma_pending


def test_a_failed_student_gets_no_certificate_from_the_hook(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    failed = ck.failed[0]
    Application.objects.filter(pk=failed.pk).update(diploma_pending=True)
    issue_in_browser(ck, django_capture_on_commit_callbacks)
    record = graduate_record(ck, failed)
    persons.diploma_verify(actor=ck.admin, person=failed.person, education_record=record)
    assert not Certificate.objects.filter(application=failed).exists()


def test_the_record_links_the_actions_each_reader_may_take(
    ck: CertKit, django_capture_on_commit_callbacks: Capture
) -> None:
    issue_in_browser(ck, django_capture_on_commit_callbacks)
    certificate = Certificate.objects.get(application=ck.passed[0])
    url = reverse("certificates-detail", args=[certificate.pk])
    change = f'href="{reverse("certificates-change-new", args=[certificate.pk])}"'
    revoke = f'href="{reverse("certificates-revoke", args=[certificate.pk])}"'

    def links(role: str) -> tuple[bool, bool]:
        html = client(ck, role).get(url).content.decode()
        return change in html, revoke in html

    assert links("institution_a") == (True, True)
    assert links("city_a") == (False, True)
    assert links("candidate") == (True, False)
    revocation.certificate_revoke(actor=ck.admin, certificate=certificate, reason="查实替考。")
    html = client(ck, "institution_a").get(url).content.decode()
    assert 'id="revoked"' in html
    assert change not in html
    assert revoke not in html
    assert "查实替考" in html
