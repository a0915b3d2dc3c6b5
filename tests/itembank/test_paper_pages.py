"""The blueprint page, assembly, the papers list, a paper's page, its seal and export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from skillcert.catalog.models import StandardLevel
from skillcert.core.models import AuditEvent, Job, JobStatus
from skillcert.itembank.assembly import assemble, paper_seal
from skillcert.itembank.blueprint import blueprint_for
from skillcert.itembank.choices import ItemType, PaperStatus
from skillcert.itembank.models import Blueprint, Item, Paper, PaperItem
from skillcert.itembank.tasks import JOB_KIND
from tests.conftest import Cast
from tests.itembank.test_assembly_support import fill_bank, make_level, small_plan

SINGLE, TF = ItemType.SINGLE.value, ItemType.TRUE_FALSE.value

pytestmark = pytest.mark.django_db


def _bank_level(
    cast: Cast, per_cell: Callable[[str, str, int, int], int] = lambda a, t, d, n: n * 2
) -> StandardLevel:
    """A level with the small plan (20 items) and active items of institution A."""
    level = make_level(type_plan=small_plan())
    fill_bank(level, cast.orgs["institution_a"], blueprint_for(level), per_cell=per_cell)
    return level


def _papers(cast: Cast, level: StandardLevel, forms: int = 2) -> list[Paper]:
    return assemble(
        actor=cast.actor("institution_a"),
        standard_level=level,
        forms=forms,
        owner=cast.orgs["institution_a"],
        title="2026年第一批理论试卷",
        seed=1,
    )


def _plan_post(single: tuple[Any, Any], tf: tuple[Any, Any], minutes: Any = 90) -> dict[str, Any]:
    return {
        "single_count": single[0],
        "single_points": single[1],
        "true_false_count": tf[0],
        "true_false_points": tf[1],
        "multiple_count": "",
        "multiple_points": "",
        "short_answer_count": "",
        "short_answer_points": "",
        "duration_minutes": minutes,
    }


# --- the blueprint page ----------------------------------------------------------


def test_blueprint_page_shows_the_classic_paper_by_default(cast: Cast) -> None:
    level = make_level()
    response = cast.client("institution_a").get(
        reverse("itembank-blueprint", kwargs={"level_pk": level.pk})
    )
    assert response.status_code == 200
    spec = response.context["spec"]
    assert (spec.total_items, spec.total_points, spec.duration_minutes) == (200, 100, 90)
    rows = response.context["rows"]
    assert [[cell.count for cell in row.cells] for row in rows] == [[16, 4], [48, 12], [96, 24]]
    page = response.content.decode()
    assert "默认（经典标准化试卷）" in page
    assert 'id="blueprint-form"' in page
    form = response.context["form"]
    assert form["single_count"].value() == 160
    assert form["true_false_points"].value() == "0.5"
    assert form["duration_minutes"].value() == 90


def test_blueprint_page_is_read_only_for_hr_officials(cast: Cast) -> None:
    level = make_level(type_plan=small_plan())
    url = reverse("itembank-blueprint", kwargs={"level_pk": level.pk})
    for role in ("city_a", "city_b"):
        response = cast.client(role).get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert 'id="blueprint-form"' not in page
        assert 'id="blueprint-readonly"' in page
        assert response.context["spec"].total_items == 20
        refused = cast.client(role).post(url, _plan_post((100, "0.5"), (50, "1")))
        assert refused.status_code == 403
    assert Blueprint.objects.get(standard_level=level).type_plan == small_plan()
    for role in ("examiner", "candidate", "education"):
        assert cast.client(role).get(url).status_code == 403
        assert cast.client(role).post(url, _plan_post((100, "0.5"), (50, "1"))).status_code == 403
    assert not AuditEvent.objects.filter(action="itembank.blueprint_set").exists()


def test_setting_the_type_plan_through_the_page(cast: Cast) -> None:
    level = make_level()
    client = cast.client("institution_a")
    url = reverse("itembank-blueprint", kwargs={"level_pk": level.pk})
    response = client.post(url, _plan_post((16, "5"), (4, "5"), 100), follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "组卷蓝图已保存。" in response.content.decode()
    assert Blueprint.objects.get(standard_level=level).type_plan == small_plan()
    spec = response.context["spec"]
    assert (spec.total_items, spec.total_points, spec.duration_minutes) == (20, 100, 100)
    assert "本等级已配置" in response.content.decode()


@pytest.mark.parametrize(
    ("post", "message"),
    [
        (_plan_post((16, "5"), (4, "2.5")), "组卷蓝图总分为90分，应为100分。"),
        (_plan_post((16, "5"), (4, "")), "「判断题」须同时填写题量和每题分值"),
        (_plan_post(("", ""), ("", "")), "请至少配置一种题型。"),
        (_plan_post((16, "5"), (4, "5"), 60), "理论知识考试时间不少于 90 分钟。"),
        (_plan_post(("十", "5"), (4, "5")), "输入整数"),
        (_plan_post((16, "5.001"), (4, "5")), "确认小数不超过 2 位"),
    ],
)
def test_bad_type_plans_are_refused_in_chinese(
    cast: Cast, post: dict[str, Any], message: str
) -> None:
    level = make_level()
    response = cast.client("institution_a").post(
        reverse("itembank-blueprint", kwargs={"level_pk": level.pk}), post
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Blueprint.objects.filter(standard_level=level).exists()


def test_blueprint_page_explains_a_missing_weight_table(cast: Cast) -> None:
    level = make_level(weights=())
    response = cast.client("institution_a").get(
        reverse("itembank-blueprint", kwargs={"level_pk": level.pk})
    )
    assert response.status_code == 200
    assert response.context["spec"] is None
    assert "该职业等级没有理论知识权重表，无法组卷。" in response.content.decode()


# --- assembly --------------------------------------------------------------------


def test_assembly_through_the_page_runs_the_job(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    level = _bank_level(cast)
    client = cast.client("institution_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("itembank-assemble", kwargs={"level_pk": level.pk}),
            {"form_count": 2, "title": "2026年第一批理论试卷"},
        )
    job = Job.objects.get(kind=JOB_KIND)
    assert response.status_code == 302
    assert response["Location"] == reverse("job-detail", kwargs={"pk": job.pk})
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.params["forms"] == 2
    page = client.get(response["Location"]).content.decode()
    assert "已生成2套试卷。" in page
    papers = client.get(reverse("itembank-papers", kwargs={"level_pk": level.pk}))
    listed = [(p.title, p.form_label, p.item_count) for p in papers.context["page"]]
    assert listed == [("2026年第一批理论试卷", "A", 20), ("2026年第一批理论试卷", "B", 20)]
    assert list(papers.context["jobs"]) == [job]


def test_a_short_bank_shows_every_missing_cell(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    def per_cell(area: str, item_type: str, difficulty: int, needed: int) -> int:
        return 0 if area == "设备操作" and item_type == SINGLE and difficulty == 3 else needed

    level = _bank_level(cast, per_cell)
    client = cast.client("institution_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("itembank-assemble", kwargs={"level_pk": level.pk}),
            {"form_count": 1, "title": "卷"},
        )
    shortage = "知识领域「设备操作」单项选择题（难度3）需要3道，题库仅有0道"
    job_page = client.get(response["Location"])
    assert job_page.context["job"].status == JobStatus.FAILED
    assert shortage in job_page.content.decode()
    papers = client.get(reverse("itembank-papers", kwargs={"level_pk": level.pk}))
    assert shortage in papers.content.decode()
    assert not Paper.objects.exists()


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"form_count": 0, "title": "卷"}, "卷数"),
        ({"form_count": 27, "title": "卷"}, "卷数"),
        ({"form_count": 1, "title": ""}, "试卷名称"),
        ({"form_count": 1, "title": "   "}, "试卷名称"),
    ],
)
def test_bad_assembly_input_is_a_message(cast: Cast, post: dict[str, Any], message: str) -> None:
    level = _bank_level(cast)
    response = cast.client("institution_a").post(
        reverse("itembank-assemble", kwargs={"level_pk": level.pk}), post, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(
        "itembank-papers", kwargs={"level_pk": level.pk}
    )
    assert message in str([str(m) for m in response.context["messages"]])
    assert not Job.objects.filter(kind=JOB_KIND).exists()


@pytest.mark.parametrize("role", ["city_a", "province", "examiner", "candidate", "education"])
def test_assembly_is_refused_to_non_keepers(cast: Cast, role: str) -> None:
    level = _bank_level(cast)
    url = reverse("itembank-assemble", kwargs={"level_pk": level.pk})
    response = cast.client(role).post(url, {"form_count": 1, "title": "卷"})
    # The province keeps only the province's own bank: its assembly would draw there.
    assert response.status_code == (302 if role == "province" else 403)
    if role != "province":
        assert not Job.objects.filter(kind=JOB_KIND).exists()


# --- the papers list -------------------------------------------------------------


def test_papers_list_is_scoped(cast: Cast) -> None:
    level = _bank_level(cast)
    a, b = _papers(cast, level)
    url = reverse("itembank-papers", kwargs={"level_pk": level.pk})
    seen: dict[str, list[int]] = {}
    for role in ("institution_a", "institution_b", "city_a", "city_b", "province"):
        response = cast.client(role).get(url)
        assert response.status_code == 200
        seen[role] = [p.pk for p in response.context["page"]]
        has_form = 'id="assembly-form"' in response.content.decode()
        assert has_form == (role in ("institution_a", "institution_b", "province"))
    assert seen == {
        "institution_a": [a.pk, b.pk],
        "institution_b": [],
        "city_a": [a.pk, b.pk],
        "city_b": [],
        "province": [a.pk, b.pk],
    }
    for role in ("examiner", "candidate", "education"):
        assert cast.client(role).get(url).status_code == 403


def test_papers_list_shows_seal_and_hash(cast: Cast) -> None:
    level = _bank_level(cast)
    a, _b = _papers(cast, level)
    paper_seal(actor=cast.actor("institution_a"), paper=a)
    a.refresh_from_db()
    response = cast.client("city_a").get(reverse("itembank-papers", kwargs={"level_pk": level.pk}))
    page = response.content.decode()
    assert f"{a.content_sha256[:12]}…" in page
    assert "已封存" in page
    assert "已组卷" in page


def test_papers_list_query_count(cast: Cast, django_assert_num_queries: Any) -> None:
    level = _bank_level(cast, lambda a, t, d, n: n * 4)
    for _ in range(2):
        _papers(cast, level)
    client = cast.client("institution_a")
    url = reverse("itembank-papers", kwargs={"level_pk": level.pk})
    client.get(url)  # warm the session
    # session, user, membership with organisation, level, the paginator's count,
    # blueprint, weights, jobs, papers: the same for any number of papers
    with django_assert_num_queries(9):
        response = client.get(url)
    assert len(response.context["page"]) == 4


# --- a paper ---------------------------------------------------------------------


def test_paper_page_shows_items_in_order_with_key_to_its_keepers(cast: Cast) -> None:
    level = _bank_level(cast)
    paper, _other = _papers(cast, level)
    response = cast.client("institution_a").get(reverse("itembank-paper", kwargs={"pk": paper.pk}))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.position for row in rows] == list(range(1, 21))
    assert [row.item.type for row in rows] == [SINGLE] * 16 + [TF] * 4
    page = response.content.decode()
    assert rows[0].item.stem in page
    assert "A. 甲" in page
    assert 'id="seal-section"' in page
    assert 'id="paper-export"' in page
    assert response.context["verified"] is None


@pytest.mark.parametrize("role", ["city_a", "province"])
def test_hr_officials_see_the_paper_but_not_its_content(cast: Cast, role: str) -> None:
    level = _bank_level(cast)
    paper, _other = _papers(cast, level)
    first = PaperItem.objects.filter(paper=paper).select_related("item").first()
    assert first is not None
    response = cast.client(role).get(reverse("itembank-paper", kwargs={"pk": paper.pk}))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["item_count"] == 20
    assert response.context["rows"] == []
    assert first.item.stem not in page
    assert 'id="seal-section"' not in page
    assert 'id="paper-content-hidden"' in page


def test_paper_page_refusals(cast: Cast) -> None:
    level = _bank_level(cast)
    paper, _other = _papers(cast, level)
    url = reverse("itembank-paper", kwargs={"pk": paper.pk})
    assert cast.client("institution_b").get(url).status_code == 404
    assert cast.client("city_b").get(url).status_code == 404
    for role in ("candidate", "examiner", "education"):
        assert cast.client(role).get(url).status_code == 403


def test_sealing_through_the_page_and_the_verification(cast: Cast) -> None:
    level = _bank_level(cast)
    paper, _other = _papers(cast, level)
    client = cast.client("institution_a")
    url = reverse("itembank-paper-seal", kwargs={"pk": paper.pk})
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("itembank-paper", kwargs={"pk": paper.pk}), 302)]
    page = response.content.decode()
    assert "试卷已封存，内容哈希已记录。" in page
    assert "封存校验通过" in page
    paper.refresh_from_db()
    assert paper.status == PaperStatus.SEALED
    assert paper.content_sha256 in page
    assert AuditEvent.objects.filter(action="paper.seal", object_id=str(paper.pk)).count() == 1
    # Sealing again is a message, not an error page.
    again = client.post(url, follow=True)
    assert "试卷已封存，不能修改。" in again.content.decode()
    # HR officials see the verification too; a changed item shows as a mismatch.
    official = cast.client("city_a").get(reverse("itembank-paper", kwargs={"pk": paper.pk}))
    assert official.context["verified"] is True
    row = PaperItem.objects.filter(paper=paper).first()
    assert row is not None
    Item.objects.filter(pk=row.item_id).update(stem="被改动的题干")
    changed = client.get(reverse("itembank-paper", kwargs={"pk": paper.pk}))
    assert changed.context["verified"] is False
    assert "封存校验不一致" in changed.content.decode()


def test_sealing_is_refused_to_others_and_changes_nothing(cast: Cast) -> None:
    level = _bank_level(cast)
    paper, _other = _papers(cast, level)
    url = reverse("itembank-paper-seal", kwargs={"pk": paper.pk})
    expected = {
        "city_a": 403,
        "province": 403,
        "institution_b": 404,
        "city_b": 404,
        "examiner": 403,
        "candidate": 403,
        "education": 403,
    }
    seen = {role: cast.client(role).post(url).status_code for role in expected}
    assert seen == expected
    paper.refresh_from_db()
    assert paper.sealed_at is None
    assert not AuditEvent.objects.filter(action="paper.seal").exists()


def test_export_through_the_page(cast: Cast) -> None:
    level = _bank_level(cast)
    paper, _other = _papers(cast, level)
    url = reverse("itembank-paper-export", kwargs={"pk": paper.pk})
    response = cast.client("institution_a").get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(action="paper.export").count() == 1
    assert cast.client("city_a").get(url).status_code == 403
    assert cast.client("institution_b").get(url).status_code == 404
    assert AuditEvent.objects.filter(action="paper.export").count() == 1


def test_bank_page_links_to_blueprint_and_papers(cast: Cast) -> None:
    level = make_level()
    page = cast.client("city_a").get(reverse("itembank-bank", kwargs={"level_pk": level.pk}))
    text = page.content.decode()
    assert reverse("itembank-blueprint", kwargs={"level_pk": level.pk}) in text
    assert reverse("itembank-papers", kwargs={"level_pk": level.pk}) in text
