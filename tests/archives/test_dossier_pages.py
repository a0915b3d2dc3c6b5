"""The batch dossier pages: the list with its button and progress, the manifest table, the
download, and the refusals (404 out of scope, 403 in scope for the wrong role, 302 to the
login page for anonymous), which write nothing."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from skillcert.archives import dossiers
from skillcert.archives.choices import DossierStatus
from skillcert.archives.models import Dossier
from skillcert.batches.choices import BatchStatus
from skillcert.batches.models import Batch
from skillcert.core.models import AuditEvent, Job
from tests.archives.builders_dossiers import DossierKit, archivable, built, linked
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def kit(cast: Cast) -> DossierKit:
    return linked(archivable(cast, issued=False, passed=1, failed=0))


def _list_url(kit: DossierKit) -> str:
    return reverse("archives-dossiers", kwargs={"batch_pk": kit.batch.pk})


def _build_url(kit: DossierKit) -> str:
    return reverse("archives-dossier-build", kwargs={"batch_pk": kit.batch.pk})


def test_staff_build_a_dossier_from_the_page(
    kit: DossierKit, django_capture_on_commit_callbacks: Any
) -> None:
    client = kit.cast.client("institution_a")
    page = client.get(_list_url(kit))
    assert page.status_code == 200
    assert 'id="action-build"' in page.content.decode()
    assert 'id="no-dossier"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_build_url(kit))
    assert response.status_code == 302
    assert response["Location"] == _list_url(kit)
    dossier = Dossier.objects.get(batch=kit.batch)
    assert dossier.status == DossierStatus.READY

    body = client.get(_list_url(kit)).content.decode()
    assert f'id="dossier-{dossier.pk}" data-status="ready"' in body
    assert f'id="dossier-bar-{dossier.pk}" value="100"' in body
    assert reverse("archives-dossier-download", kwargs={"pk": dossier.pk}) in body


def test_the_progress_is_polled_while_building(kit: DossierKit) -> None:
    dossier = dossiers.dossier_request(actor=kit.admin, batch=kit.batch)
    Job.objects.filter(pk=dossier.job_id).update(status="running", total=10, done=4)
    client = kit.cast.client("institution_a")
    page = client.get(_list_url(kit)).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert 'id="action-build"' not in page  # one build at a time
    fragment = client.get(_list_url(kit), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert text.lstrip().startswith('<section id="dossier-progress"')
    assert 'value="40"' in text
    assert "HX-Refresh" not in fragment
    assert dossiers.dossier_build(dossier).status == DossierStatus.READY
    done = client.get(_list_url(kit), HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_the_list_page_costs_a_fixed_number_of_queries(
    kit: DossierKit, django_assert_num_queries: Any
) -> None:
    built(kit.admin, kit.batch)
    built(kit.cast.actor("city_a"), kit.batch)
    client = kit.cast.client("institution_a")
    client.get(_list_url(kit))  # warm the session
    with django_assert_num_queries(6):
        response = client.get(_list_url(kit))
    assert len(response.context["dossiers"]) == 2


def test_the_detail_shows_the_manifest_with_record_types(kit: DossierKit) -> None:
    dossier = built(kit.admin, kit.batch)
    response = kit.cast.client("city_a").get(reverse("archives-dossier", kwargs={"pk": dossier.pk}))
    assert response.status_code == 200
    body = response.content.decode()
    assert dossier.sha256 in body
    assert response.context["manifest"]["signer"]["did"] in body
    entries = response.context["entries"]
    assert len(entries) == dossier.entries
    plan = next(e for e in entries if e["path"] == "plan/plan.pdf")
    assert (plan["record_type_label"], plan["retention_label"]) == (
        "认定计划公告",
        "过程资料（3年以上）",
    )
    assert 'data-record-type="applications"' in body
    assert "职业技能等级认定申报表" in body


def test_the_download_is_the_stored_file_and_is_audited(kit: DossierKit) -> None:
    dossier = built(kit.admin, kit.batch)
    url = reverse("archives-dossier-download", kwargs={"pk": dossier.pk})
    response = kit.cast.client("province").get(url)
    assert response.status_code == 200
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(data).hexdigest() == dossier.sha256
    assert response["Cache-Control"] == "private, no-store"
    assert f"{kit.batch.code}-dossier-{dossier.pk}.zip" in response["Content-Disposition"]
    assert dossiers.dossier_verify(data).ok
    event = AuditEvent.objects.get(action="archives.dossier_download")
    assert event.object_id == str(dossier.pk)


def test_a_failed_dossier_has_nothing_to_download(kit: DossierKit) -> None:
    dossier = dossiers.dossier_request(actor=kit.admin, batch=kit.batch)
    url = reverse("archives-dossier-download", kwargs={"pk": dossier.pk})
    response = kit.cast.client("institution_a").get(url)
    assert response.status_code == 404
    assert 'id="dossier-missing"' in response.content.decode()
    assert not AuditEvent.objects.filter(action="archives.dossier_download").exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("city_b", 404),
        ("institution_b", 404),
        ("examiner", 404),
        ("education", 403),
        ("candidate", 403),
    ],
)
def test_refused_builds_write_nothing(kit: DossierKit, role: str, status: int) -> None:
    events, jobs = AuditEvent.objects.count(), Job.objects.count()
    response = kit.cast.client(role).post(_build_url(kit))
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    assert not Dossier.objects.exists()
    assert (AuditEvent.objects.count(), Job.objects.count()) == (events, jobs)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("city_b", 404),
        ("institution_b", 404),
        ("candidate", 404),
        ("education", 403),
    ],
)
def test_refused_downloads_are_not_served(kit: DossierKit, role: str, status: int) -> None:
    dossier = built(kit.admin, kit.batch)
    events = AuditEvent.objects.count()
    url = reverse("archives-dossier-download", kwargs={"pk": dossier.pk})
    response = kit.cast.client(role).get(url)
    assert response.status_code == status
    assert AuditEvent.objects.count() == events
    assert not response.streaming


def test_a_batch_before_filing_shows_no_button(cast: Cast) -> None:
    kit = archivable(cast, issued=False, passed=1, failed=0)
    Batch.objects.filter(pk=kit.batch.pk).update(status=BatchStatus.RESULTS_PUBLISHED)
    client: Client = kit.cast.client("institution_a")
    body = client.get(_list_url(kit)).content.decode()
    assert 'id="action-build"' not in body
    assert 'id="not-ready"' in body
    response = client.post(_build_url(kit), follow=True)
    assert "成绩备案后才能生成档案包" in response.content.decode()
    assert not Dossier.objects.exists()
