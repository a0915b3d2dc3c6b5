"""Roster pages: the upload runs as a job (immediate backend in tests) shown on the job page."""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from skillcert.core.excel import XLSX_CONTENT_TYPE
from skillcert.core.models import Job, JobStatus
from skillcert.enrollment.models import Application, Person
from skillcert.enrollment.roster.columns import SHEET_TITLE, SUMMARY_TITLE
from skillcert.enrollment.roster.importer import JOB_KIND
from tests.conftest import Cast
from tests.enrollment.test_roster_support import RosterWorld, build_roster_world, roster_bytes, row

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def rw(cast: Cast) -> RosterWorld:
    return build_roster_world(cast)


def upload(client: Client, rw: RosterWorld, data: bytes, name: str = "名册.xlsx") -> Any:
    url = reverse("roster-upload", kwargs={"batch_pk": rw.batch.pk})
    return client.post(url, {"file": SimpleUploadedFile(name, data, XLSX_CONTENT_TYPE)})


def test_the_upload_page(cast: Cast, rw: RosterWorld) -> None:
    response = cast.client("institution_a").get(
        reverse("roster-upload", kwargs={"batch_pk": rw.batch.pk})
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("roster-template", kwargs={"batch_pk": rw.batch.pk}) in body
    assert 'id="roster-upload"' in body


def test_a_clean_upload_runs_as_a_job(
    cast: Cast, rw: RosterWorld, django_capture_on_commit_callbacks: Capture
) -> None:
    client = cast.client("institution_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, rw, roster_bytes([row(1), row(2)]))

    job = Job.objects.get(kind=JOB_KIND)
    assert response.status_code == 302
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == JobStatus.SUCCEEDED
    assert (job.total, job.done) == (4, 4)  # 2 rows checked, then 2 written
    assert job.result["rows"] == 2
    assert job.result["persons_created"] == 2
    assert job.params["batch"] == rw.batch.pk
    assert job.created_by == cast.users["institution_a"]
    assert Application.objects.filter(batch=rw.batch).count() == 2
    page = client.get(f"/jobs/{job.pk}/")
    body = page.content.decode()
    assert 'data-status="succeeded"' in body
    assert 'value="100"' in body
    assert "已导入 2 名考生：新登记人员 2 人" in body
    # The upload page lists it.
    listing = client.get(reverse("roster-upload", kwargs={"batch_pk": rw.batch.pk}))
    assert f"/jobs/{job.pk}/" in listing.content.decode()


def test_a_queued_job_shows_a_polling_progress_bar(cast: Cast, rw: RosterWorld) -> None:
    client = cast.client("institution_a")
    upload(client, rw, roster_bytes([row(1)]))  # not committed in the test: still queued
    job = Job.objects.get(kind=JOB_KIND)
    assert job.status == JobStatus.QUEUED
    assert job.input_file
    body = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert "<progress" in body


def test_an_upload_with_errors_gives_the_marked_file(
    cast: Cast, rw: RosterWorld, django_capture_on_commit_callbacks: Capture
) -> None:
    client = cast.client("institution_a")
    before = Person.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, rw, roster_bytes([row(1), row(2, phone="1")]), name="三班.xlsx")

    job = Job.objects.get(kind=JOB_KIND)
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("名册有 1 处错误（涉及 1 行），没有写入任何数据。")
    assert job.result["filename"] == "三班_错误报告.xlsx"
    assert Person.objects.count() == before
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="job-result"' in page
    download = client.get(reverse("job-result", kwargs={"pk": job.pk}))
    assert download.status_code == 200
    assert (
        "%E4%B8%89%E7%8F%AD_%E9%94%99%E8%AF%AF%E6%8A%A5%E5%91%8A.xlsx"
        in download["Content-Disposition"]
    )
    book = load_workbook(io.BytesIO(download.getvalue()))
    assert book.sheetnames[0] == SUMMARY_TITLE
    assert book[SHEET_TITLE]["E3"].comment is not None


def test_a_file_that_is_not_xlsx_is_refused_at_once(cast: Cast, rw: RosterWorld) -> None:
    response = upload(cast.client("institution_a"), rw, b"a,b\n", name="名册.csv")
    assert response.status_code == 200
    assert "这不是 Excel .xlsx 文件" in response.content.decode()
    assert not Job.objects.filter(kind=JOB_KIND).exists()


def test_a_closed_batch_refuses_the_upload(cast: Cast, rw: RosterWorld) -> None:
    rw.batch.status = "enrollment_closed"
    rw.batch.save(update_fields=["status"])
    response = upload(cast.client("institution_a"), rw, roster_bytes([row(1)]))
    assert "只有“报名中”的批次可以导入名册" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("city_a", 403), ("institution_b", 404)])
def test_others_cannot_upload(cast: Cast, rw: RosterWorld, role: str, status: int) -> None:
    response = upload(cast.client(role), rw, roster_bytes([row(1)]))
    assert response.status_code == status
    assert not Job.objects.exists()


def test_the_template_and_the_export_download(cast: Cast, rw: RosterWorld) -> None:
    client = cast.client("institution_a")
    kwargs = {"batch_pk": rw.batch.pk}
    template = client.get(reverse("roster-template", kwargs=kwargs))
    assert template.status_code == 200
    assert template["Content-Type"] == XLSX_CONTENT_TYPE
    assert load_workbook(io.BytesIO(template.content)).sheetnames[0] == SHEET_TITLE
    export = cast.client("city_a").get(reverse("roster-export", kwargs=kwargs))
    assert export.status_code == 200
    assert export["Cache-Control"] == "private, no-store"


def test_the_task_runs_a_job_once(cast: Cast, rw: RosterWorld) -> None:
    from skillcert.enrollment.tasks import import_roster_task

    upload(cast.client("institution_a"), rw, roster_bytes([row(1)]))
    job = Job.objects.get(kind=JOB_KIND)
    import_roster_task.call(job.pk)
    import_roster_task.call(job.pk)  # a second delivery of the same message
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert Application.objects.filter(batch=rw.batch).count() == 1


def test_a_job_whose_uploader_left_does_not_run(cast: Cast, rw: RosterWorld) -> None:
    from skillcert.enrollment.tasks import import_roster_task

    upload(cast.client("institution_a"), rw, roster_bytes([row(1)]))
    job = Job.objects.get(kind=JOB_KIND)
    membership = cast.memberships["institution_a"]
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    import_roster_task.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "上传名册的人员已不在该机构任职，导入未执行。"
    assert not Application.objects.exists()
