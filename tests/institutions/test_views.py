"""The institutions web layer through Django's test client, as the cast (STYLE.md 7, 9).

Every POST route: the success path changes state and says so; a refusal (out of scope,
wrong role, wrong state, invalid input) changes nothing, writes no audit event and shows
the Chinese message. Out-of-scope objects are a 404, like absent ones.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from skillcert.core.actors import Actor
from skillcert.core.choices import IdType
from skillcert.core.models import AuditEvent, Organisation
from skillcert.institutions.choices import (
    REQUIRED_MATERIALS_BY_KIND,
    DirectoryStatus,
    FilingKind,
    FilingStatus,
    MaterialKind,
    StaffKind,
)
from skillcert.institutions.demo import minimal_pdf
from skillcert.institutions.models import (
    DirectoryNotice,
    ExaminerQualification,
    ExpertOpinion,
    Filing,
    FilingApplication,
    FilingMaterial,
    FilingScopeLine,
    Institution,
    OnsiteCheck,
    ScopeEntry,
    Site,
    StaffMember,
)
from skillcert.institutions.services import filing as flow
from tests.factories import resident_id
from tests.institutions.conftest import (
    SYSTEM,
    World,
    another_institution,
    approved,
    draft,
    equip,
    person,
    submitted,
    under_assessment,
)
from tests.institutions.factories import valid_uscc

# ---------------------------------------------------------------- helpers

WATCHED: tuple[type[models.Model], ...] = (
    Organisation,
    Institution,
    Site,
    StaffMember,
    ExaminerQualification,
    FilingApplication,
    FilingScopeLine,
    FilingMaterial,
    ExpertOpinion,
    OnsiteCheck,
    Filing,
    ScopeEntry,
    DirectoryNotice,
)
_MESSAGE = re.compile(r'<p class="message (?P<tag>[\w ]+)" role="status">(?P<text>.*?)</p>', re.S)


def _snapshot() -> dict[str, Any]:
    rows: dict[str, Any] = {
        model.__name__: list(model._default_manager.order_by("pk").values()) for model in WATCHED
    }
    rows["audit events"] = AuditEvent.objects.count()
    return rows


@contextmanager
def nothing_changes() -> Iterator[None]:
    """No row of the institutions' tables changes and no audit event is written."""
    before = _snapshot()
    yield
    after = _snapshot()
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"a refused request changed {changed}"


def text(response: Any) -> str:
    return str(response.content.decode())


def shown(response: Any) -> list[tuple[str, str]]:
    """The (level, text) messages the page shows."""
    return [(m["tag"], html.unescape(m["text"]).strip()) for m in _MESSAGE.finditer(text(response))]


def says_done(response: Any, message: str) -> None:
    assert response.status_code == 200
    assert ("success", message) in shown(response), shown(response)


def says_refused(response: Any, message: str) -> None:
    assert response.status_code == 200
    errors = [msg for tag, msg in shown(response) if tag == "error"]
    assert any(message in msg for msg in errors), shown(response)
    assert not [msg for tag, msg in shown(response) if tag == "success"]


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, follow=True)


def login(actor: Actor) -> Client:
    client = Client()
    assert actor.user is not None
    client.force_login(actor.user)
    return client


def pdf_upload(name: str = "申请表.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(), content_type="application/pdf")


def line_data(world: World, **changes: Any) -> dict[str, Any]:
    data = {
        "standard": world.lathe_std.pk,
        "work_type": "",
        "lowest_level": 5,
        "highest_level": 4,
        "item_bank_source": "own",
    }
    return {**data, **changes}


def inst_a_page(world: World) -> str:
    return reverse("institution-detail", args=[world.inst_a.pk])


def status_of(application: FilingApplication) -> str:
    application.refresh_from_db()
    return application.status


# ---------------------------------------------------------------- institution register


def _register_data(world: World, **changes: Any) -> dict[str, Any]:
    data = {
        "name": "春城技工学校",
        "type": "technical_school",
        "uscc": valid_uscc(901),
        "city": "530100",
        "supervisor": world.cast.orgs["centre_a"].pk,
        "address": "昆明市盘龙区新迎路8号",
        "contact_name": "李老师",
        "contact_phone": "13912345678",
    }
    return {**data, **changes}


def test_register_institution(world: World) -> None:
    client = world.cast.client("city_a")
    url = reverse("institution-register")
    assert client.get(url).status_code == 200
    response = post(client, url, _register_data(world))
    says_done(response, "机构已登记。")
    institution = Institution.objects.get(uscc=valid_uscc(901))
    assert response.redirect_chain[-1][0] == reverse("institution-detail", args=[institution.pk])
    assert institution.organisation.city_id == "530100"
    assert institution.supervisor == world.cast.orgs["centre_a"]
    assert institution.status == DirectoryStatus.UNFILED
    assert AuditEvent.objects.filter(action="institution.register").count() == 1
    assert "春城技工学校" in text(response)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"uscc": "12530100MB0000000"}, "统一社会信用代码不正确。"),
        ({"contact_phone": "12345"}, "电话号码格式不正确"),
    ],
)
def test_register_refused_by_the_service(
    world: World, changes: dict[str, Any], message: str
) -> None:
    client = world.cast.client("city_a")
    with nothing_changes():
        response = post(client, reverse("institution-register"), _register_data(world, **changes))
    says_refused(response, message)
    assert 'id="institution-register-form"' in text(response)  # the form is shown again


def test_register_refuses_a_registered_uscc(world: World) -> None:
    client = world.cast.client("city_a")
    with nothing_changes():
        response = post(
            client, reverse("institution-register"), _register_data(world, uscc=world.inst_a.uscc)
        )
    says_refused(response, "该统一社会信用代码已登记。")


def test_register_offers_only_the_officials_city_and_centres(world: World) -> None:
    client = world.cast.client("city_a")
    form = client.get(reverse("institution-register")).context["form"]
    assert [r.code for r in form.fields["city"].queryset] == ["530100"]
    assert list(form.fields["supervisor"].queryset) == [world.cast.orgs["centre_a"]]
    # Another city, or city B's authority as supervisor, is not a valid choice.
    for changes in ({"city": "530300"}, {"supervisor": world.cast.orgs["city_b"].pk}):
        with nothing_changes():
            response = post(
                client, reverse("institution-register"), _register_data(world, **changes)
            )
        assert response.status_code == 200
        assert response.context["form"].errors


def test_register_refuses_a_duplicate_name(world: World) -> None:
    client = world.cast.client("city_a")
    data = _register_data(world, name=world.inst_a.name)
    with nothing_changes():
        response = post(client, reverse("institution-register"), data)
    says_refused(response, "已存在")


@pytest.mark.parametrize("role", ["institution_a", "examiner", "candidate", "education"])
def test_register_is_for_hr_officials(world: World, role: str) -> None:
    client = world.cast.client(role)
    with nothing_changes():
        response = client.post(reverse("institution-register"), _register_data(world))
    assert response.status_code == 403


# ---------------------------------------------------------------- sites


def _site_data(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "第二实训楼",
        "address": "昆明市五华区测试路3号",
        "latitude": "25.050000",
        "longitude": "102.700000",
        "radius_m": "300",
        "capacity": "40",
        "has_video_monitoring": "on",
    }
    return {**data, **changes}


@pytest.mark.parametrize("role", ["institution_a", "city_a", "province"])
def test_site_add(world: World, role: str) -> None:
    url = reverse("institution-site-add", args=[world.inst_a.pk])
    response = post(world.cast.client(role), url, _site_data())
    says_done(response, "场地已添加。")
    site = Site.objects.get(institution=world.inst_a)
    assert (site.name, site.capacity, site.has_video_monitoring) == ("第二实训楼", 40, True)
    assert "第二实训楼" in text(response)
    assert AuditEvent.objects.filter(action="institution.site_add").count() == 1


@pytest.mark.parametrize("role", ["city_b", "institution_b", "examiner", "candidate"])
def test_site_add_out_of_scope_is_404(world: World, role: str) -> None:
    url = reverse("institution-site-add", args=[world.inst_a.pk])
    with nothing_changes():
        assert world.cast.client(role).post(url, _site_data()).status_code == 404


@pytest.mark.parametrize(
    ("role", "data", "message"),
    [
        # The education department reads the institution but does not keep its registry.
        ("education", _site_data(), "您无权修改该机构的场地。"),
        ("institution_a", _site_data(latitude=""), "纬度：这个字段是必填项。"),
        ("institution_a", _site_data(latitude="95"), "90"),
        ("institution_a", _site_data(radius_m="10"), "定位打卡半径（米）："),
    ],
)
def test_site_add_refusals(world: World, role: str, data: dict[str, Any], message: str) -> None:
    url = reverse("institution-site-add", args=[world.inst_a.pk])
    client = world.cast.client(role)
    with nothing_changes():
        response = post(client, url, data)
    says_refused(response, message)


# ---------------------------------------------------------------- staff


def _staff_data(**changes: Any) -> dict[str, Any]:
    data = {
        "kind": StaffKind.EXAMINER,
        "full_name": "王考评",
        "id_type": IdType.RESIDENT,
        "id_number": resident_id(serial=234),
        "phone": "13812345678",
        "title": "高级讲师",
        "skill_level": "2",
        "education": "本科",
        "employer": "",
    }
    return {**data, **changes}


def test_staff_add_shows_the_id_number_masked(world: World) -> None:
    number = resident_id(serial=234)
    client = world.cast.client("institution_a")
    response = post(client, reverse("institution-staff-add", args=[world.inst_a.pk]), _staff_data())
    says_done(response, "人员已添加。")
    member = StaffMember.objects.get(institution=world.inst_a)
    assert member.id_number == number
    assert (member.full_name, member.kind, member.skill_level) == ("王考评", "examiner", 2)
    for page in (response, world.cast.client("city_a").get(inst_a_page(world))):
        content = text(page)
        assert "王考评" in content
        assert f"530102********{number[-4:]}" in content
        assert number not in content
        assert "13812345678" not in content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            _staff_data(id_number="530102199001011235"),
            "身份证号码不正确（位数、出生日期、地区码或校验位有误）。",
        ),
        (_staff_data(id_number="53010219900101123"), "身份证号码不正确"),
        (_staff_data(phone="123"), "电话号码格式不正确"),
        (_staff_data(full_name=""), "姓名：这个字段是必填项。"),
    ],
)
def test_staff_add_refusals(world: World, data: dict[str, Any], message: str) -> None:
    client = world.cast.client("institution_a")
    with nothing_changes():
        response = post(client, reverse("institution-staff-add", args=[world.inst_a.pk]), data)
    says_refused(response, message)
    assert "530102199001011235" not in text(response)


def test_staff_add_refuses_a_duplicate(world: World) -> None:
    client = world.cast.client("institution_a")
    url = reverse("institution-staff-add", args=[world.inst_a.pk])
    says_done(post(client, url, _staff_data()), "人员已添加。")
    with nothing_changes():
        response = post(client, url, _staff_data(full_name="王考评二"))
    says_refused(response, "此人已在该类人员名单中。")


def test_staff_add_out_of_scope_is_404(world: World) -> None:
    url = reverse("institution-staff-add", args=[world.inst_a.pk])
    with nothing_changes():
        assert world.cast.client("institution_b").post(url, _staff_data()).status_code == 404


def test_staff_deactivate(world: World) -> None:
    member = person(world.inst_a, StaffKind.STAFF)
    url = reverse("institution-staff-deactivate", args=[world.inst_a.pk, member.pk])
    client = world.cast.client("institution_a")
    for role in ("city_b", "institution_b", "examiner"):
        with nothing_changes():
            assert world.cast.client(role).post(url).status_code == 404
    with nothing_changes():
        says_refused(post(world.cast.client("education"), url), "您无权修改该机构的人员名单。")

    response = post(client, url)
    says_done(response, "人员已移出名单。")
    member.refresh_from_db()
    assert member.is_active is False
    assert member.full_name not in text(response)
    assert AuditEvent.objects.filter(action="institution.staff_deactivate").count() == 1

    with nothing_changes():
        says_refused(post(client, url), "该人员已不在册。")


def test_staff_deactivate_needs_the_matching_institution(world: World) -> None:
    member_b = person(world.inst_b, StaffKind.STAFF)
    # The province sees both institutions, but B's member is not under A's address.
    url = reverse("institution-staff-deactivate", args=[world.inst_a.pk, member_b.pk])
    with nothing_changes():
        assert world.cast.client("province").post(url).status_code == 404


# ---------------------------------------------------------------- qualifications


def test_qualification_add(world: World) -> None:
    member = person(world.inst_a, StaffKind.EXAMINER)
    url = reverse("institution-qualification-add", args=[world.inst_a.pk, member.pk])
    data = {"occupation": "6-18-01-01", "work_type": "数控车工", "highest_level": "3"}
    response = post(world.cast.client("institution_a"), url, data)
    says_done(response, "考评资格已登记。")
    qualification = ExaminerQualification.objects.get(staff=member)
    assert (qualification.occupation, qualification.work_type) == (world.lathe, world.cnc)
    assert qualification.highest_level == 3
    assert "车工（数控车工） ≤三级/高级工" in text(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"occupation": "9-99-99-99", "highest_level": "3"}, "找不到该职业编码。"),
        ({"occupation": "", "highest_level": "3"}, "找不到该职业编码。"),
        (
            {"occupation": "6-18-01-01", "work_type": "铣工", "highest_level": "3"},
            "该职业下没有这个工种。",
        ),
        ({"occupation": "6-18-01-01", "highest_level": "9"}, "可考评的最高等级："),
    ],
)
def test_qualification_add_refusals(world: World, data: dict[str, Any], message: str) -> None:
    member = person(world.inst_a, StaffKind.EXAMINER)
    url = reverse("institution-qualification-add", args=[world.inst_a.pk, member.pk])
    with nothing_changes():
        says_refused(post(world.cast.client("institution_a"), url, data), message)


def test_qualification_only_for_examiners(world: World) -> None:
    member = person(world.inst_a, StaffKind.SUPERVISOR)
    url = reverse("institution-qualification-add", args=[world.inst_a.pk, member.pk])
    data = {"occupation": "6-18-01-01", "highest_level": "3"}
    with nothing_changes():
        says_refused(post(world.cast.client("institution_a"), url, data), "只有考评人员")
    with nothing_changes():
        assert world.cast.client("city_b").post(url, data).status_code == 404


# ---------------------------------------------------------------- the filing path


def test_filing_path_from_draft_to_the_public_directory(world: World) -> None:
    """Institution A applies, city A decides, the public sees it, through the pages only."""
    equip(world.inst_a, world.line())
    admin = world.cast.client("institution_a")
    official = world.cast.client("city_a")

    response = post(admin, reverse("filing-create"), {"kind": FilingKind.INITIAL})
    says_done(response, "已创建备案申请草稿。")
    application = FilingApplication.objects.get(institution=world.inst_a)
    assert response.redirect_chain[-1][0] == reverse("filing-detail", args=[application.pk])
    # The institution finds its draft on its list of applications.
    assert reverse("filing-detail", args=[application.pk]) in text(admin.get("/filings/"))

    response = post(admin, reverse("filing-line-add", args=[application.pk]), line_data(world))
    says_done(response, "已添加申请职业（工种）。")
    assert "五级/初级工、四级/中级工" in text(response)
    line = FilingScopeLine.objects.get(application=application)
    assert (line.occupation, line.lowest_level, line.highest_level) == (world.lathe, 5, 4)

    upload = reverse("filing-material-upload", args=[application.pk])
    for kind in REQUIRED_MATERIALS_BY_KIND[FilingKind.INITIAL]:
        response = post(admin, upload, {"kind": kind, "file": pdf_upload(f"{kind}.pdf")})
        says_done(response, "材料已上传。")
    assert FilingMaterial.objects.filter(application=application).count() == 8
    assert "implementation_plan.pdf" in text(response)
    assert all(m.content_type == "application/pdf" for m in FilingMaterial.objects.all())

    submit = reverse("filing-transition", args=[application.pk, "submit"])
    response = post(admin, submit)
    says_done(response, "已提交备案申请。")
    application.refresh_from_db()
    assert application.status == FilingStatus.SUBMITTED
    assert application.decision_due is not None
    due = application.decision_due.isoformat()
    assert due in text(response)
    queue = text(official.get(reverse("filing-list")))
    assert "机构A" in queue
    assert due in queue

    for action, message, status in (
        ("accept", "已受理。", FilingStatus.ACCEPTED),
        ("start_assessment", "已进入专家评估。", FilingStatus.UNDER_ASSESSMENT),
    ):
        response = post(official, reverse("filing-transition", args=[application.pk, action]))
        says_done(response, message)
        assert status_of(application) == status

    opinion = {"score": "88", "recommends_approval": "on", "opinion": "场地设备符合要求"}
    expert = login(world.experts[0])
    assert "场地设备符合要求" not in text(
        expert.get(reverse("filing-detail", args=[application.pk]))
    )
    response = post(expert, reverse("filing-opinion-add", args=[application.pk]), opinion)
    says_done(response, "评估意见已提交。")
    assert "场地设备符合要求" in text(response)
    recorded = {**opinion, "opinion": "题库完备", "expert": world.experts[1].user_id}
    response = post(official, reverse("filing-opinion-add", args=[application.pk]), recorded)
    says_done(response, "评估意见已提交。")
    assert ExpertOpinion.objects.filter(application=application).count() == 2

    onsite = {
        "checked_on": timezone.localdate().isoformat(),
        "inspectors": "张专家、李专家",
        "findings": "场地、设备与监控齐全",
        "passed": "on",
    }
    response = post(official, reverse("filing-onsite-add", args=[application.pk]), onsite)
    says_done(response, "现场考察记录已保存。")
    assert "场地、设备与监控齐全" in text(response)

    approve = reverse("filing-transition", args=[application.pk, "approve"])
    response = post(official, approve, {"reason": "同意备案"})
    says_done(response, "已准予备案，机构已列入目录。")
    assert status_of(application) == FilingStatus.APPROVED
    filing = Filing.objects.get(institution=world.inst_a)
    assert filing.filing_number in text(response)
    assert "同意备案" in text(response)

    _institution_is_public(world, filing)


def _institution_is_public(world: World, filing: Filing) -> None:
    public = Client()
    listing = text(public.get(reverse("directory"), {"occupation": "车工"}))
    assert "机构A" in listing
    assert filing.filing_number in listing
    assert reverse("directory-detail", args=[world.inst_a.pk]) in listing

    detail = text(public.get(reverse("directory-detail", args=[world.inst_a.pk])))
    assert "6-18-01-01" in detail
    assert "车工" in detail
    assert "五级/初级工、四级/中级工" in detail
    assert "国家职业技能标准 车工（2018年版）" in detail

    export = public.get(reverse("directory-export"))
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["机构名称", "机构类型"]
    ours = [row for row in rows[1:] if row[0] == "机构A"]
    assert len(ours) == 1
    assert ours[0][5] == filing.filing_number
    assert ours[0][8:12] == ["6-18-01-01", "车工", "—", "五级/初级工、四级/中级工"]

    api = public.get("/api/v1/public/directory")
    assert api.status_code == 200
    (entry,) = [e for e in api.json() if e["id"] == world.inst_a.pk]
    assert entry["filing_number"] == filing.filing_number
    assert [
        (s["occupation_code"], s["lowest_level"], s["highest_level"]) for s in entry["scope"]
    ] == [("6-18-01-01", 5, 4)]


def test_unknown_transition_is_404(world: World) -> None:
    application = draft(world, world.inst_a, world.line())
    url = reverse("filing-transition", args=[application.pk, "delete"])
    with nothing_changes():
        assert world.cast.client("institution_a").post(url).status_code == 404


# ---------------------------------------------------------------- create


def test_filing_create_refusals(world: World) -> None:
    admin = world.cast.client("institution_a")
    url = reverse("filing-create")
    with nothing_changes():
        says_refused(
            post(admin, url, {"kind": FilingKind.ADDITION}), "尚未备案的机构只能申请首次备案。"
        )
    with nothing_changes():
        says_refused(post(admin, url, {"kind": "bogus"}), "申请类型：")
    with nothing_changes():
        says_refused(
            post(world.cast.client("city_a"), url, {"kind": FilingKind.INITIAL}),
            "只有本机构的管理员可以办理本机构的备案申请。",
        )
    for role in ("examiner", "candidate"):
        with nothing_changes():
            assert world.cast.client(role).post(url, {"kind": "initial"}).status_code == 404
    says_done(post(admin, url, {"kind": FilingKind.INITIAL}), "已创建备案申请草稿。")
    with nothing_changes():
        says_refused(
            post(admin, url, {"kind": FilingKind.INITIAL}), "该机构已有一份未办结的备案申请。"
        )


# ---------------------------------------------------------------- scope lines


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"highest_level": 2, "standard": "electric"}, "所选标准没有以下等级的要求：二级/技师。"),
        ({"lowest_level": 4, "highest_level": 5}, "最高等级不能低于起始等级。"),
        ({"work_type": "铣工"}, "该职业下没有这个工种。"),
        ({"standard": "999999"}, "评价依据（职业技能标准）："),
        ({"item_bank_source": "bought"}, "命题资源："),
    ],
)
def test_scope_line_refusals(world: World, changes: dict[str, Any], message: str) -> None:
    application = draft(world, world.inst_a, materials=False)
    if changes.get("standard") == "electric":
        changes["standard"] = world.electric_std.pk
    url = reverse("filing-line-add", args=[application.pk])
    with nothing_changes():
        says_refused(
            post(world.cast.client("institution_a"), url, line_data(world, **changes)), message
        )


def test_scope_line_with_a_work_type(world: World) -> None:
    application = draft(world, world.inst_a, materials=False)
    url = reverse("filing-line-add", args=[application.pk])
    response = post(world.cast.client("institution_a"), url, line_data(world, work_type="数控车工"))
    says_done(response, "已添加申请职业（工种）。")
    assert FilingScopeLine.objects.get(application=application).work_type == world.cnc


def test_scope_line_by_role_and_state(world: World) -> None:
    application = draft(world, world.inst_a, world.line(), materials=False)
    url = reverse("filing-line-add", args=[application.pk])
    data = line_data(world, standard=world.electric_std.pk, highest_level=3)
    with nothing_changes():
        says_refused(
            post(world.cast.client("institution_a"), url, line_data(world)),
            "该职业（工种）已在本申请中。",
        )
    with nothing_changes():
        assert world.cast.client("city_b").post(url, data).status_code == 404
    with nothing_changes():
        says_refused(post(world.cast.client("city_a"), url, data), "只有本机构的管理员")

    line = FilingScopeLine.objects.get(application=application)
    remove = reverse("filing-line-remove", args=[application.pk, line.pk])
    with nothing_changes():
        assert world.cast.client("institution_b").post(remove).status_code == 404
    says_done(post(world.cast.client("institution_a"), remove), "已删除。")
    assert not FilingScopeLine.objects.filter(application=application).exists()


def test_scope_lines_are_fixed_once_submitted(world: World) -> None:
    application = submitted(world, world.inst_b, world.line())
    url = reverse("filing-line-add", args=[application.pk])
    line = FilingScopeLine.objects.get(application=application)
    remove = reverse("filing-line-remove", args=[application.pk, line.pk])
    data = line_data(world, standard=world.electric_std.pk, highest_level=3)
    for target, payload in ((url, data), (remove, {})):
        with nothing_changes():
            says_refused(
                post(world.cast.client("institution_b"), target, payload),
                "申请当前状态为“已提交”，不能修改申请的职业（工种）。",
            )


# ---------------------------------------------------------------- materials


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("申请表.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "application/pdf"),
            "只能上传PDF、JPEG或PNG文件。",
        ),
        (
            SimpleUploadedFile("申请表.png", minimal_pdf(), "image/png"),
            "文件扩展名与文件内容（application/pdf）不符。",
        ),
        (None, "文件（PDF、JPG、PNG）：这个字段是必填项。"),
        (SimpleUploadedFile("空.pdf", b"", "application/pdf"), "文件（PDF、JPG、PNG）："),
    ],
)
def test_material_upload_refusals(
    world: World, upload: SimpleUploadedFile | None, message: str
) -> None:
    application = draft(world, world.inst_a, world.line(), materials=False)
    data: dict[str, Any] = {"kind": MaterialKind.APPLICATION_FORM}
    if upload is not None:
        data["file"] = upload
    url = reverse("filing-material-upload", args=[application.pk])
    with nothing_changes():
        says_refused(post(world.cast.client("institution_a"), url, data), message)


def test_material_upload_scope_and_state(world: World) -> None:
    application = draft(world, world.inst_a, world.line(), materials=False)
    url = reverse("filing-material-upload", args=[application.pk])
    for role in ("city_b", "institution_b"):
        data = {"kind": MaterialKind.RULES, "file": pdf_upload()}
        with nothing_changes():
            assert world.cast.client(role).post(url, data).status_code == 404
    with nothing_changes():
        data = {"kind": MaterialKind.RULES, "file": pdf_upload()}
        says_refused(post(world.cast.client("city_a"), url, data), "只有本机构的管理员")

    application = submitted(world, world.inst_b, world.line())
    url = reverse("filing-material-upload", args=[application.pk])
    with nothing_changes():
        data = {"kind": MaterialKind.RULES, "file": pdf_upload()}
        says_refused(
            post(world.cast.client("institution_b"), url, data),
            "申请当前状态为“已提交”，不能上传材料。",
        )


# ---------------------------------------------------------------- submit


def test_submit_refused_without_materials_or_lines(world: World) -> None:
    admin = world.cast.client("institution_a")
    application = draft(world, world.inst_a, materials=False)
    submit = reverse("filing-transition", args=[application.pk, "submit"])
    with nothing_changes():
        says_refused(post(admin, submit), "请至少填写一个申请评价的职业（工种）。")
    post(admin, reverse("filing-line-add", args=[application.pk]), line_data(world))
    post(
        admin,
        reverse("filing-material-upload", args=[application.pk]),
        {"kind": MaterialKind.APPLICATION_FORM, "file": pdf_upload()},
    )
    with nothing_changes():
        response = post(admin, submit)
    says_refused(
        response,
        "缺少申请材料：法人登记证书、职业编码及评价依据、题库建设情况、场地设备证明、"
        "人员名单及资质证明、考务管理与质量管控制度、实施方案。",
    )
    assert status_of(application) == FilingStatus.DRAFT
    with nothing_changes():
        says_refused(post(world.cast.client("city_a"), submit), "只有本机构的管理员")
    with nothing_changes():
        assert world.cast.client("city_b").post(submit).status_code == 404


# ---------------------------------------------------------------- accept / return


def test_accept_and_return(world: World) -> None:
    application = submitted(world, world.inst_a, world.line())
    official = world.cast.client("city_a")
    admin = world.cast.client("institution_a")
    accept = reverse("filing-transition", args=[application.pk, "accept"])
    back = reverse("filing-transition", args=[application.pk, "return"])

    for role in ("city_b", "institution_b", "examiner"):
        with nothing_changes():
            assert world.cast.client(role).post(accept).status_code == 404
    for client in (admin, world.cast.client("education")):
        with nothing_changes():
            says_refused(post(client, accept), "只有该机构的属地人社部门可以办理此事项。")
    with nothing_changes():
        says_refused(post(official, back), "请填写退回原因。")
    with nothing_changes():
        says_refused(post(official, back, {"reason": "   "}), "请填写退回原因。")

    response = post(official, back, {"reason": "法人登记证书不清晰"})
    says_done(response, "已退回。")
    assert status_of(application) == FilingStatus.RETURNED
    assert "退回原因：法人登记证书不清晰" in text(response)
    # The institution sees the returned application and the reason, then resubmits.
    assert "已退回" in text(admin.get(reverse("filing-list")))
    assert "法人登记证书不清晰" in text(admin.get(reverse("filing-detail", args=[application.pk])))
    with nothing_changes():
        says_refused(post(official, accept), "申请当前状态为“已退回”，不能受理。")
    submit = reverse("filing-transition", args=[application.pk, "submit"])
    says_done(post(admin, submit), "已提交备案申请。")

    says_done(post(official, accept), "已受理。")
    assert status_of(application) == FilingStatus.ACCEPTED
    with nothing_changes():
        says_refused(post(official, accept), "申请当前状态为“已受理”，不能受理。")
    with nothing_changes():
        says_refused(post(official, back, {"reason": "迟到的退回"}), "不能退回")


# ---------------------------------------------------------------- assessment


def _accepted(world: World) -> FilingApplication:
    application = submitted(world, world.inst_a, world.line())
    flow.filing_accept(actor=world.cast.actor("city_a"), application=application)
    return application


def test_start_assessment(world: World) -> None:
    application = submitted(world, world.inst_a, world.line())
    official = world.cast.client("city_a")
    start = reverse("filing-transition", args=[application.pk, "start_assessment"])
    with nothing_changes():
        says_refused(post(official, start), "申请当前状态为“已提交”，不能开始技术评估。")
    flow.filing_accept(actor=world.cast.actor("city_a"), application=application)
    with nothing_changes():
        says_refused(post(world.cast.client("institution_a"), start), "只有该机构的属地人社部门")
    with nothing_changes():
        assert world.cast.client("city_b").post(start).status_code == 404
    says_done(post(official, start), "已进入专家评估。")
    assert status_of(application) == FilingStatus.UNDER_ASSESSMENT


OPINION = {"score": "80", "recommends_approval": "on", "opinion": "符合备案条件"}


def test_expert_records_their_opinion(world: World) -> None:
    application = _accepted(world)
    expert = login(world.experts[0])
    url = reverse("filing-opinion-add", args=[application.pk])
    # Before the assessment starts the application is not the expert's to see.
    with nothing_changes():
        assert expert.post(url, OPINION).status_code == 404
    assert expert.get(reverse("filing-detail", args=[application.pk])).status_code == 404

    flow.filing_start_assessment(actor=world.cast.actor("city_a"), application=application)
    page = text(expert.get(reverse("filing-detail", args=[application.pk])))
    assert 'id="opinion-form"' in page
    assert 'id="onsite-form"' not in page
    assert application in [row[0] for row in expert.get(reverse("filing-list")).context["rows"]], (
        "the expert's list holds the applications to assess"
    )

    with nothing_changes():
        says_refused(post(expert, url, {**OPINION, "opinion": ""}), "评估意见：这个字段是必填项。")
    with nothing_changes():
        says_refused(post(expert, url, {**OPINION, "score": "101"}), "评分（0–100）：")
    response = post(expert, url, OPINION)
    says_done(response, "评估意见已提交。")
    opinion = ExpertOpinion.objects.get(application=application)
    assert opinion.expert == world.experts[0].user
    assert (opinion.score, opinion.recommends_approval) == (80, True)
    with nothing_changes():
        says_refused(post(expert, url, OPINION), "该专家已提交过评估意见。")


def test_official_records_an_opinion_for_an_expert(world: World) -> None:
    application = _accepted(world)
    flow.filing_start_assessment(actor=world.cast.actor("city_a"), application=application)
    official = world.cast.client("city_a")
    url = reverse("filing-opinion-add", args=[application.pk])
    page = text(official.get(reverse("filing-detail", args=[application.pk])))
    expert_user = world.experts[1].user
    assert expert_user is not None
    assert expert_user.display_name in page  # offered in the expert select

    with nothing_changes():
        says_refused(post(official, url, OPINION), "请选择提交意见的专家。")
    # Only users holding the expert role are offered; anyone else is not a valid choice.
    not_expert = world.cast.users["institution_b"].pk
    with nothing_changes():
        says_refused(post(official, url, {**OPINION, "expert": not_expert}), "专家：")
    with nothing_changes():
        says_refused(
            post(world.cast.client("institution_a"), url, {**OPINION, "expert": expert_user.pk}),
            "只有专家或属地人社部门可以录入专家评估意见。",
        )
    with nothing_changes():
        assert world.cast.client("city_b").post(url, OPINION).status_code == 404

    response = post(official, url, {**OPINION, "expert": expert_user.pk, "recommends_approval": ""})
    says_done(response, "评估意见已提交。")
    opinion = ExpertOpinion.objects.get(application=application)
    assert (opinion.expert, opinion.recommends_approval) == (expert_user, False)
    assert "不同意" in text(response)


def test_onsite_check(world: World) -> None:
    application = _accepted(world)
    official = world.cast.client("city_a")
    url = reverse("filing-onsite-add", args=[application.pk])
    today = timezone.localdate()
    data = {
        "checked_on": today.isoformat(),
        "inspectors": "专家组",
        "findings": "合格",
        "passed": "on",
    }
    with nothing_changes():
        says_refused(post(official, url, data), "申请当前状态为“已受理”，不能记录现场考察。")
    flow.filing_start_assessment(actor=world.cast.actor("city_a"), application=application)
    tomorrow = (today + timedelta(days=1)).isoformat()
    with nothing_changes():
        says_refused(
            post(official, url, {**data, "checked_on": tomorrow}), "考察日期不能晚于今天。"
        )
    with nothing_changes():
        says_refused(post(official, url, {**data, "findings": ""}), "考察情况：这个字段是必填项。")
    with nothing_changes():
        says_refused(
            post(world.cast.client("institution_a"), url, data), "只有该机构的属地人社部门"
        )
    with nothing_changes():
        assert world.cast.client("city_b").post(url, data).status_code == 404
    says_done(post(official, url, data), "现场考察记录已保存。")
    check = OnsiteCheck.objects.get(application=application)
    assert (check.checked_on, check.passed) == (today, True)


# ---------------------------------------------------------------- approve / refuse


def test_approve_refused_until_the_conditions_hold(world: World) -> None:
    application = under_assessment(world, world.inst_a, world.line())
    official = world.cast.client("city_a")
    approve = reverse("filing-transition", args=[application.pk, "approve"])
    with nothing_changes():
        response = post(official, approve)
    says_refused(response, "备案条件未全部满足：")
    says_refused(response, "具有与评价相适应的场地")
    with nothing_changes():
        says_refused(post(world.cast.client("institution_a"), approve), "只有该机构的属地人社部门")
    with nothing_changes():
        assert world.cast.client("city_b").post(approve).status_code == 404

    equip(world.inst_a, world.line())
    says_done(post(official, approve), "已准予备案，机构已列入目录。")
    world.inst_a.refresh_from_db()
    assert world.inst_a.status == DirectoryStatus.ACTIVE
    with nothing_changes():
        says_refused(post(official, approve), "申请当前状态为“已备案”，不能批准备案。")


def test_approve_needs_a_passed_onsite_check(world: World) -> None:
    equip(world.inst_a, world.line())
    application = under_assessment(world, world.inst_a, world.line(), onsite=False)
    approve = reverse("filing-transition", args=[application.pk, "approve"])
    with nothing_changes():
        says_refused(post(world.cast.client("city_a"), approve), "首次备案须经现场考察通过。")


def test_refuse(world: World) -> None:
    application = under_assessment(world, world.inst_a, world.line())
    official = world.cast.client("city_a")
    refuse = reverse("filing-transition", args=[application.pk, "refuse"])
    with nothing_changes():
        says_refused(post(official, refuse), "请填写不予备案的原因。")
    response = post(official, refuse, {"reason": "考评人员不足"})
    says_done(response, "已作出不予备案决定。")
    assert status_of(application) == FilingStatus.REFUSED
    assert "考评人员不足" in text(response)
    assert not Client().get(reverse("directory")).context["page"].object_list


# ---------------------------------------------------------------- directory lifecycle


def test_suspend_reinstate_revoke(world: World) -> None:
    approved(world, world.inst_a)
    official = world.cast.client("city_a")
    pk = world.inst_a.pk
    suspend = reverse("institution-suspend", args=[pk])
    reinstate = reverse("institution-reinstate", args=[pk])
    revoke = reverse("institution-revoke", args=[pk])
    later = (timezone.localdate() + timedelta(days=30)).isoformat()
    today = timezone.localdate().isoformat()

    with nothing_changes():
        assert (
            world.cast.client("city_b")
            .post(suspend, {"reason": "x", "rectification_due": later})
            .status_code
            == 404
        )
    for role in ("institution_a", "education"):
        with nothing_changes():
            says_refused(
                post(
                    world.cast.client(role), suspend, {"reason": "违规", "rectification_due": later}
                ),
                "只有该机构的属地人社部门可以办理此事项。",
            )
    with nothing_changes():
        says_refused(
            post(official, suspend, {"reason": "违规", "rectification_due": today}),
            "整改期限应晚于今天。",
        )
    with nothing_changes():
        says_refused(
            post(official, suspend, {"reason": "", "rectification_due": later}), "请填写暂停原因。"
        )
    with nothing_changes():
        says_refused(post(official, suspend, {"reason": "违规"}), "整改期限：这个字段是必填项。")
    with nothing_changes():
        says_refused(post(official, reinstate, {"reason": "已整改"}), "不能恢复评价")

    response = post(official, suspend, {"reason": "考务管理不规范", "rectification_due": later})
    says_done(response, "已暂停该机构的评价工作。")
    assert "暂停（整改中）" in text(response)
    assert "暂停" in _directory_status(pk)
    assert "考务管理不规范" in text(Client().get(reverse("directory-notices")))

    with nothing_changes():
        says_refused(post(official, reinstate, {"reason": ""}), "请填写整改验收意见。")
    says_done(post(official, reinstate, {"reason": "整改到位"}), "已恢复该机构的评价工作。")
    assert _directory_status(pk) == "正常"

    with nothing_changes():
        says_refused(post(official, revoke, {"reason": ""}), "请填写取消备案的原因。")
    with nothing_changes():
        assert world.cast.client("institution_b").post(revoke, {"reason": "x"}).status_code == 404
    response = post(official, revoke, {"reason": "出具虚假证书"})
    says_done(response, "已取消该机构的备案，并发布公告。")
    world.inst_a.refresh_from_db()
    assert world.inst_a.status == DirectoryStatus.REVOKED
    public = Client()
    assert "机构A" not in text(public.get(reverse("directory")))
    assert public.get(reverse("directory-detail", args=[pk])).status_code == 404
    assert all(e["id"] != pk for e in public.get("/api/v1/public/directory").json())
    notices = text(public.get(reverse("directory-notices")))
    assert "取消备案公告" in notices
    assert "机构A因出具虚假证书，取消其职业技能等级评价机构备案" in notices
    with nothing_changes():
        says_refused(post(official, revoke, {"reason": "再次取消"}), "不能取消备案")


def _directory_status(pk: int) -> str:
    page = text(Client().get(reverse("directory-detail", args=[pk])))
    found = re.search(r'<span id="directory-status">(.*?)</span>', page)
    assert found is not None
    listing = text(Client().get(reverse("directory")))
    assert found[1] in listing
    return found[1]


# ---------------------------------------------------------------- the queue


def test_queue_shows_due_dates_and_marks_overdue(world: World) -> None:
    inst = another_institution("530100")
    late = draft(world, inst, world.line())
    flow.filing_submit(
        actor=SYSTEM, application=late, today=timezone.localdate() - timedelta(days=40)
    )
    late.refresh_from_db()
    fresh = submitted(world, world.inst_a, world.line())
    assert late.decision_due is not None
    assert fresh.decision_due is not None

    response = world.cast.client("city_a").get(reverse("filing-list"))
    page = text(response)
    rows = re.findall(r"<tr(?: class=\"(\w+)\")?><td><a href=\"/filings/(\d+)/\">", page)
    assert rows == [("overdue", str(late.pk)), ("", str(fresh.pk))]  # overdue first
    assert late.decision_due.isoformat() in page
    assert fresh.decision_due.isoformat() in page
    assert page.count("已逾期") == 1
    detail = text(world.cast.client("city_a").get(reverse("filing-detail", args=[late.pk])))
    assert "已逾期" in detail
    # City B's queue has neither.
    assert "/filings/" + str(late.pk) not in text(
        world.cast.client("city_b").get(reverse("filing-list"))
    )


# ---------------------------------------------------------------- query counts


def _approved_elsewhere(world: World, n: int) -> None:
    for _n in range(n):
        approved(world, another_institution("530100"))


@pytest.mark.parametrize("extra", [0, 3])
def test_directory_queries(world: World, django_assert_num_queries: Any, extra: int) -> None:
    approved(world, world.inst_a)
    _approved_elsewhere(world, extra)
    client = Client()
    # No session: count, the city choices, the page, its scope entries.
    with django_assert_num_queries(4):
        response = client.get(reverse("directory"))
    assert len(response.context["page"].object_list) == 1 + extra


@pytest.mark.parametrize("extra", [0, 4])
def test_institution_list_queries(world: World, django_assert_num_queries: Any, extra: int) -> None:
    for _n in range(extra):
        another_institution("530100")
    client = world.cast.client("province")
    # session, user, memberships (actor), institutions
    with django_assert_num_queries(4):
        response = client.get(reverse("institution-list"))
    assert len(response.context["institutions"]) == 2 + extra


@pytest.mark.parametrize("extra", [0, 3])
def test_filing_list_queries(world: World, django_assert_num_queries: Any, extra: int) -> None:
    submitted(world, world.inst_a, world.line())
    for _n in range(extra):
        submitted(world, another_institution("530100"), world.line())
    client = world.cast.client("city_a")
    # session, user, memberships (actor), applications
    with django_assert_num_queries(4):
        response = client.get(reverse("filing-list"))
    assert len(response.context["rows"]) == 1 + extra


@pytest.mark.parametrize("extra", [0, 3])
def test_institution_filing_list_queries(
    world: World, django_assert_num_queries: Any, extra: int
) -> None:
    application = draft(world, world.inst_a, world.line())
    for _n in range(extra):  # earlier refused applications
        flow.filing_submit(actor=world.applicant(world.inst_a), application=application)
        FilingApplication.objects.filter(pk=application.pk).update(status=FilingStatus.REFUSED)
        application = draft(world, world.inst_a, world.line())
    client = world.cast.client("institution_a")
    # session, user, memberships (actor), own institution, applications
    with django_assert_num_queries(5):
        response = client.get(reverse("filing-list"))
    assert len(response.context["rows"]) == 1 + extra
    assert 'id="filing-create-form"' in text(response)


def test_staff_list_queries_do_not_grow(world: World) -> None:
    """The institution page's staff table with qualifications: one query per relation."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.cast.client("city_a")
    url = reverse("institution-detail", args=[world.inst_a.pk])
    equip(world.inst_a, world.line(), examiners=1)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    equip(world.inst_a, world.line(), examiners=4)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_institution_page_shows_the_certificate_prefix(world: World) -> None:
    page = text(world.cast.client("institution_a").get(inst_a_page(world)))
    assert '<code id="certificate-prefix">Y000053——————</code>' in page
    approved(world, world.inst_a)
    page = text(world.cast.client("institution_a").get(inst_a_page(world)))
    expected = "".join(world.inst_a.certificate_prefix_parts)
    assert len(expected) == 13
    assert f'<code id="certificate-prefix">{expected}</code>' in page


def test_directory_search_keeps_the_valid_filters(world: World) -> None:
    approved(world, world.inst_a)
    approved(world, world.inst_b, world.line(5, 4, work_type=world.cnc))
    client = Client()

    def listed(**params: Any) -> list[str]:
        response = client.get(reverse("directory"), params)
        assert response.status_code == 200
        return sorted(i.organisation.name for i in response.context["page"].object_list)

    assert listed() == ["机构A", "机构B"]
    assert listed(city="530100") == ["机构A"]
    assert listed(q="机构B") == ["机构B"]
    assert listed(occupation="电工") == []
    # A level that does not parse is ignored; the occupation still filters.
    assert listed(occupation="电工", level="9") == []
    assert listed(city="530100", level="abc") == ["机构A"]
