"""Login and throttling, language, security headers, the API's two kinds of auth, the demo."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from skillcert.core.demo import DEMO_PASSWORD
from skillcert.core.models import (
    ApiToken,
    AuditChainHead,
    AuditEvent,
    Membership,
    Organisation,
    User,
)
from skillcert.core.services import api_token_create
from tests.conftest import Cast


def test_login_and_logout(cast: Cast, password: str) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "cast_city_a", "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert "昆明市人社局" in home.content.decode()
    assert "曲靖市人社局" not in home.content.decode()
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_passwords_are_hashed_with_argon2_in_production_settings() -> None:
    from skillcert.config import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_repeated_failures_lock_the_login(cast: Cast, password: str) -> None:
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "cast_city_a", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "cast_city_a", "password": password})
    assert locked.status_code == 429
    assert "登录已锁定" in locked.content.decode()


def test_wrong_password_message_is_chinese(cast: Cast) -> None:
    response = Client().post(reverse("login"), {"username": "cast_city_a", "password": "x"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_security_headers(cast: Cast) -> None:
    response = cast.client("province").get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_english_switch(cast: Cast) -> None:
    client = cast.client("city_a")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert '<html lang="en">' in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_healthz() -> None:
    response = Client().get(reverse("healthz"))
    assert response.json() == {"status": "ok"}


def test_membership_switch_only_to_own_memberships(cast: Cast) -> None:
    user = cast.users["city_a"]
    second = Membership.objects.create(
        user=user, role="examiner", organisation=cast.orgs["institution_a"]
    )
    client = cast.client("city_a")
    other = cast.memberships["city_b"].pk
    assert client.post(reverse("membership-switch"), {"membership": other}).status_code == 404
    assert (
        json.loads(client.get("/api/v1/me").content)["active_membership"]["role"] == "city_official"
    )
    assert client.post(reverse("membership-switch"), {"membership": second.pk}).status_code == 302
    assert client.get("/api/v1/me").json()["active_membership"]["role"] == "examiner"


def test_api_me_with_session(cast: Cast) -> None:
    body = cast.client("institution_b").get("/api/v1/me").json()
    assert body["username"] == "cast_institution_b"
    assert body["scope_level"] == "institution"
    assert body["active_membership"]["organisation_name"] == "机构B"


def test_api_token_auth(cast: Cast) -> None:
    from django.db import transaction

    with transaction.atomic():
        token, secret = api_token_create(
            actor=cast.actor("city_a"), membership=cast.memberships["city_a"], name="集成"
        )
    assert secret not in {t.digest for t in ApiToken.objects.all()}
    client = Client()
    response = client.get("/api/v1/organisations", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert {o["name"] for o in response.json()} == {"昆明市人社局", "昆明市鉴定中心", "机构A"}
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer sk_wrong").status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(revoked_at="2026-01-01T00:00:00Z")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_openapi_document_lists_the_endpoints() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/me", "/api/v1/organisations", "/api/v1/organisations/{org_id}"} <= set(paths)


@pytest.mark.django_db
def test_seed_demo_is_idempotent() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count())
    head = AuditChainHead.objects.get(pk=1).seq
    # 21 users and 20 memberships of the core demo; the results demo adds two examiners
    # and six candidates, the certificates demo four candidates.
    assert counts == (33, 17, 32)
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert AuditChainHead.objects.get(pk=1).seq == head == AuditEvent.objects.count()
    login = {"username": "km_official", "password": DEMO_PASSWORD}
    assert Client().post(reverse("login"), login).status_code == 302


SCHEDULE_2027 = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,workday,春节\n"


def _upload(client: Client, text: str) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("2027.csv", text.encode(), content_type="text/csv")
    return client.post(reverse("holiday-list"), {"source": "测试通知", "file": upload})


def test_province_official_uploads_a_holiday_schedule(cast: Cast) -> None:
    from skillcert.core.models import HolidaySchedule

    client = cast.client("province")
    assert _upload(client, SCHEDULE_2027).status_code == 302  # type: ignore[attr-defined]
    assert HolidaySchedule.objects.get().days.count() == 2
    page = client.get(reverse("holiday-list")).content.decode()
    assert "测试通知" in page


def test_bad_schedule_upload_names_the_row_and_writes_nothing(cast: Cast) -> None:
    from skillcert.core.models import HolidaySchedule

    bad = "date,kind,name\n2027-01-01,holiday,元旦\n2027-13-01,holiday,坏日期\n"
    response = _upload(cast.client("province"), bad)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "第 3 行" in response.content.decode()  # type: ignore[attr-defined]
    assert not HolidaySchedule.objects.exists()


def test_city_official_cannot_upload_a_schedule(cast: Cast) -> None:
    from skillcert.core.models import HolidaySchedule

    assert _upload(cast.client("city_a"), SCHEDULE_2027).status_code == 403  # type: ignore[attr-defined]
    assert not HolidaySchedule.objects.exists()


def _policy_post(cast: Cast, role: str, pass_mark: int) -> int:
    from django.forms.models import model_to_dict

    from skillcert.core.models import ProvincePolicy

    client = cast.client(role)
    client.get(reverse("policy"))  # creates the defaults on first view
    data = model_to_dict(ProvincePolicy.objects.get(), exclude=["province"])
    data = {key: "" if value is None else value for key, value in data.items()}  # a blank field
    data["pass_mark"] = pass_mark
    return int(client.post(reverse("policy"), data).status_code)


def test_province_official_edits_the_policy_and_it_is_audited(cast: Cast) -> None:
    from skillcert.core.models import ProvincePolicy

    assert _policy_post(cast, "province", 65) == 302
    assert ProvincePolicy.objects.get().pass_mark == 65
    event = AuditEvent.objects.filter(action="policy.update").get()
    assert event.changes == {"before": {"pass_mark": 60}, "after": {"pass_mark": 65}}


@pytest.mark.parametrize("role", ["city_a", "institution_a", "examiner"])
def test_others_cannot_edit_the_policy(cast: Cast, role: str) -> None:
    from skillcert.core.models import ProvincePolicy

    assert _policy_post(cast, role, 30) == 403
    assert ProvincePolicy.objects.get().pass_mark == 60
    assert not AuditEvent.objects.filter(action="policy.update").exists()


def test_policy_rejects_out_of_range_values(cast: Cast) -> None:
    from skillcert.core.models import ProvincePolicy

    assert _policy_post(cast, "province", 130) == 200
    assert ProvincePolicy.objects.get().pass_mark == 60


def test_create_api_token_command(cast: Cast) -> None:
    out = io.StringIO()
    call_command("create_api_token", "cast_city_b", "--name", "对接", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.json()["username"] == "cast_city_b"


def test_chinese_is_the_default_whatever_the_browser_says(cast: Cast) -> None:
    client = cast.client("city_a")
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in page


def test_job_result_download_is_audited(cast: Cast) -> None:
    from django.core.files.base import ContentFile

    from skillcert.core.models import Job, JobStatus

    job = Job.objects.create(
        kind="roster_import", organisation=cast.orgs["institution_a"], status=JobStatus.SUCCEEDED
    )
    job.result_file.save("report.xlsx", ContentFile(b"data"))
    response = cast.client("institution_a").get(reverse("job-result", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"data"  # type: ignore[attr-defined]
    event = AuditEvent.objects.get(action="job.result_download")
    assert event.object_id == str(job.pk)
    assert cast.client("city_a").get(reverse("job-result", args=[job.pk])).status_code == 403
    assert AuditEvent.objects.filter(action="job.result_download").count() == 1
