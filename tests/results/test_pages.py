"""The results pages: the institution's batch page and its actions, the centre's filings
and decision, the candidate's own results with objections, pending revocations.

Refusals are tested beside the successes: the other institution and the other city get
404, in-scope roles that may not act get 403, and a refused post changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from skillcert.batches.choices import BatchStatus, Component
from skillcert.enrollment.choices import ApplicationStatus
from skillcert.enrollment.models import Application
from skillcert.results.choices import (
    ComponentState,
    ObjectionKind,
    ObjectionStatus,
    Outcome,
    ResultsStatus,
    RevocationStatus,
    ScoreSource,
)
from skillcert.results.models import (
    BatchResults,
    CertificateRevocation,
    ComponentScore,
    Objection,
    Result,
)
from tests.enrollment.test_documents_world import applicant, approve
from tests.results.conftest import ResultsKit
from tests.results.matrix_pages import (
    PRACTICAL,
    THEORY,
    link_candidate,
    panel_scores,
    published_world,
    scored_world,
)


def _url(name: str, rk: ResultsKit, **extra: object) -> str:
    return reverse(name, kwargs={"batch_pk": rk.batch.pk, **extra})


def _messages(response: object) -> list[str]:
    return [str(m) for m in response.context["messages"]]  # type: ignore[attr-defined]


def _client(rk: ResultsKit, role: str) -> Client:
    return rk.cast.client(role)


# --- the batch page ----------------------------------------------------------------------


def test_staff_page_shows_each_candidates_components_and_outcome(rk: ResultsKit) -> None:
    scored_world(rk)
    response = _client(rk, "institution_a").get(_url("results-batch", rk))
    assert response.status_code == 200
    html = response.content.decode()
    rows = {row.admission_number: row for row in response.context["rows"]}
    assert len(rows) == len(rk.candidates)
    third = rows[rk.candidates[2].admission_number or ""]
    # High theory, practical below the pass mark: failed whatever the total.
    assert [c.text for c in third.cells] == [f"{THEORY[2]:.2f}", f"{PRACTICAL[2]:.2f}"]
    assert third.outcome == Outcome.FAILED
    assert third.cells[1].passed is False
    assert "未达合格分" in html
    for application in rk.candidates:
        assert application.person.full_name in html
        assert rk.exam.id_numbers[application.pk] not in html
    assert 'id="action-publish"' in html
    assert reverse("results-export-xlsx", kwargs={"batch_pk": rk.batch.pk}) in html
    assert reverse("results-export-pdf", kwargs={"batch_pk": rk.batch.pk}) in html


def test_staff_page_links_the_scoring_pages_that_exist(rk: ResultsKit) -> None:
    html = _client(rk, "institution_a").get(_url("results-batch", rk)).content.decode()
    for name in ("results-sheets", "results-panels", "results-scoring-progress"):
        try:
            url = reverse(name, kwargs={"batch_pk": rk.batch.pk})
        except NoReverseMatch:
            continue
        assert f'href="{url}"' in html


def test_batch_detail_links_to_the_results_page(rk: ResultsKit) -> None:
    html = _client(rk, "institution_a").get(reverse("batch-detail", args=[rk.batch.pk]))
    assert _url("results-batch", rk) in html.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("institution_a", 200),
        ("city_a", 200),
        ("province", 200),
        ("institution_b", 404),
        ("city_b", 404),
        ("education", 403),
        ("examiner", 404),
        ("candidate", 403),  # the batch's own candidate: in scope, not a reader
        ("anonymous", 302),
    ],
)
def test_batch_page_refusals(rk: ResultsKit, role: str, status: int) -> None:
    link_candidate(rk)
    for name in ("results-batch", "results-export-xlsx", "results-export-pdf"):
        assert _client(rk, role).get(_url(name, rk)).status_code == status, name


def test_the_batch_examiners_get_no_results_page(rk: ResultsKit) -> None:
    assert rk.examiner_client(0).get(_url("results-batch", rk)).status_code == 404


def test_exports_download_with_file_names(rk: ResultsKit) -> None:
    scored_world(rk)
    client = _client(rk, "city_a")
    xlsx = client.get(_url("results-export-xlsx", rk))
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert rk.batch.code in xlsx["Content-Disposition"]
    assert xlsx["Cache-Control"] == "private, no-store"
    pdf = client.get(_url("results-export-pdf", rk))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


# --- staff actions -----------------------------------------------------------------------


def test_staff_enter_mark_absent_compute_and_publish(rk: ResultsKit) -> None:
    rk.assessed()
    client = _client(rk, "institution_a")
    c0, c1 = rk.candidates[:2]
    for application, score in zip(rk.candidates, THEORY, strict=True):
        response = client.post(
            _url("results-score-enter", rk),
            {"application": application.pk, "component": "theory", "score": str(score)},
            follow=True,
        )
        assert response.status_code == 200
    assert ComponentScore.objects.get(application=c1, component="theory").score == THEORY[1]
    panel_scores(rk, [PRACTICAL[0], None, PRACTICAL[2], PRACTICAL[3]])
    response = client.post(
        _url("results-absent", rk),
        {"application": c1.pk, "component": "practical", "sitting_no": 1},
        follow=True,
    )
    assert "缺考" in " ".join(_messages(response))
    row = ComponentScore.objects.get(application=c1, component="practical")
    assert row.state == ComponentState.ABSENT
    client.post(_url("results-compute", rk))
    assert Result.objects.get(application=c1).outcome == Outcome.FAILED
    assert Result.objects.get(application=c0).outcome == Outcome.PASSED
    response = client.post(_url("results-publish", rk), follow=True)
    assert "成绩已发布公示。" in _messages(response)
    published = BatchResults.objects.get(batch=rk.batch)
    assert published.status == ResultsStatus.PUBLISHED
    assert rk.batch.status == BatchStatus.RESULTS_PUBLISHED
    html = response.content.decode()
    assert "公示期至" in html
    assert f"{published.publicity_ends:%Y-%m-%d}" in html
    assert 'id="action-file"' in html


def test_a_panel_component_cannot_be_entered_by_hand(rk: ResultsKit) -> None:
    rk.assessed()
    response = _client(rk, "institution_a").post(
        _url("results-score-enter", rk),
        {"application": rk.candidates[0].pk, "component": "practical", "score": "90"},
        follow=True,
    )
    # The form offers theory only; a forged practical entry is refused and writes nothing.
    assert any("考核科目" in m for m in _messages(response))
    assert not ComponentScore.objects.filter(application=rk.candidates[0]).exists()


def test_bad_input_is_a_message_not_an_error(rk: ResultsKit) -> None:
    rk.assessed()
    client = _client(rk, "institution_a")
    response = client.post(
        _url("results-score-enter", rk),
        {"application": rk.candidates[0].pk, "component": "theory", "score": "120"},
        follow=True,
    )
    assert response.status_code == 200
    assert _messages(response)
    response = client.post(_url("results-publish", rk), follow=True)
    assert "请先统分，再发布成绩。" in _messages(response)
    assert not ComponentScore.objects.exists()


def test_only_the_batchs_approved_candidates_are_choices(rk: ResultsKit) -> None:
    rk.assessed()
    other_batch = rk.kit.batch()
    stranger = approve(applicant(other_batch))
    withdrawn = rk.candidates[3]
    Application.objects.filter(pk=withdrawn.pk).update(status=ApplicationStatus.WITHDRAWN)
    client = _client(rk, "institution_a")
    for application in (stranger, withdrawn):
        response = client.post(
            _url("results-score-enter", rk),
            {"application": application.pk, "component": "theory", "score": "80"},
            follow=True,
        )
        assert any("考生" in m for m in _messages(response))
    assert not ComponentScore.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [("city_a", 403), ("education", 403), ("institution_b", 404), ("city_b", 404)],
)
def test_only_the_institutions_staff_act(rk: ResultsKit, role: str, status: int) -> None:
    scored_world(rk)
    client = _client(rk, role)
    before = list(ComponentScore.objects.values_list("pk", "state", "score"))
    posts = [
        ("results-theory-collect", {}),
        ("results-compute", {}),
        ("results-publish", {}),
        ("results-file", {}),
        (
            "results-score-enter",
            {"application": rk.candidates[0].pk, "component": "theory", "score": "10"},
        ),
        ("results-absent", {"application": rk.candidates[0].pk, "component": "theory"}),
        ("results-retake", {"application": rk.candidates[2].pk, "component": "practical"}),
    ]
    for name, data in posts:
        assert client.post(_url(name, rk), data).status_code == status, name
    assert list(ComponentScore.objects.values_list("pk", "state", "score")) == before
    assert BatchResults.objects.get(batch=rk.batch).status == ResultsStatus.SCORING


def test_retake_of_a_failed_component(rk: ResultsKit) -> None:
    scored_world(rk)
    failed = rk.candidates[2]
    client = _client(rk, "institution_a")
    response = client.post(
        _url("results-retake", rk),
        {"application": failed.pk, "component": "practical"},
        follow=True,
    )
    assert any("补考" in m for m in _messages(response))
    retake = ComponentScore.objects.get(application=failed, component="practical", sitting_no=2)
    assert retake.state == ComponentState.PENDING
    # A passed component is not retaken.
    response = client.post(
        _url("results-retake", rk),
        {"application": rk.candidates[0].pk, "component": "practical"},
        follow=True,
    )
    assert "只有不合格或缺考的科目可以补考。" in _messages(response)
    # The table shows the retake pending and the first sitting below it.
    html = client.get(_url("results-batch", rk)).content.decode()
    assert f"第1次：{PRACTICAL[2]:.2f}" in html


def test_void_by_staff_and_by_the_authority(rk: ResultsKit) -> None:
    scored_world(rk)
    target = rk.candidates[0]
    response = _client(rk, "institution_a").post(
        _url("results-void", rk),
        {
            "application": target.pk,
            "grade": "cheating",
            "component": "practical",
            "reason": "夹带资料",
        },
        follow=True,
    )
    assert response.status_code == 200
    row = ComponentScore.objects.get(application=target, component="practical")
    assert row.state == ComponentState.VOID
    response = _client(rk, "city_a").post(
        _url("results-void", rk),
        {"application": rk.candidates[1].pk, "grade": "serious", "reason": "替考"},
        follow=True,
    )
    assert response.status_code == 200
    assert Result.objects.get(application=rk.candidates[1]).outcome == Outcome.VOID
    # Education officials may not; nothing changes.
    response = _client(rk, "education").post(
        _url("results-void", rk),
        {"application": rk.candidates[3].pk, "grade": "serious", "reason": "x"},
    )
    assert response.status_code == 403
    assert Result.objects.get(application=rk.candidates[3]).outcome == Outcome.PASSED


def test_objection_recorded_on_paper_and_handled(rk: ResultsKit) -> None:
    published_world(rk)
    client = _client(rk, "institution_a")
    target = rk.candidates[2]
    response = client.post(
        _url("results-objection-record", rk),
        {
            "application": target.pk,
            "kind": "review",
            "component": "practical",
            "text": "操作技能成绩疑有合分错误",
        },
        follow=True,
    )
    assert "已登记。" in _messages(response)
    objection = Objection.objects.get(application=target)
    assert objection.status == ObjectionStatus.SUBMITTED
    html = response.content.decode()
    assert f'id="handle-form-{objection.pk}"' in html
    # A review that found a summing error, corrected: the result and the row follow.
    response = client.post(
        reverse("results-objection-handle", kwargs={"objection_pk": objection.pk}),
        {
            "upheld": "1",
            "sum_error_found": "on",
            "corrected_score": "61.00",
            "response": "第二张评分表合分少计6分，已更正。",
        },
        follow=True,
    )
    assert "处理结果已记录。" in _messages(response)
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.UPHELD
    assert objection.sum_error_found
    assert Result.objects.get(application=target).outcome == Outcome.PASSED
    assert "第二张评分表合分少计6分" in response.content.decode()


def test_objection_handling_refusals(rk: ResultsKit) -> None:
    published_world(rk)
    link_candidate(rk)
    objection = Objection.objects.create(
        application=rk.candidates[0],
        kind=ObjectionKind.REVIEW,
        component=Component.PRACTICAL,
        text="申请复核",
        submitted_by_label="x",
    )
    url = reverse("results-objection-handle", kwargs={"objection_pk": objection.pk})
    data = {"upheld": "0", "response": "维持"}
    assert _client(rk, "institution_b").post(url, data).status_code == 404
    assert _client(rk, "city_a").post(url, data).status_code == 403
    assert _client(rk, "candidate").post(url, data).status_code == 403
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.SUBMITTED
    # A review that found nothing may not be upheld: a message, no change.
    response = _client(rk, "institution_a").post(url, {"upheld": "1", "response": "?"}, follow=True)
    assert response.status_code == 200
    objection.refresh_from_db()
    assert objection.status == ObjectionStatus.SUBMITTED


def test_overdue_filing_is_warned_on_the_staff_page(rk: ResultsKit) -> None:
    scored_world(rk)
    BatchResults.objects.filter(batch=rk.batch).update(
        filing_due=timezone.localdate() - timedelta(days=1)
    )
    html = _client(rk, "institution_a").get(_url("results-batch", rk)).content.decode()
    assert 'id="filing-overdue"' in html
    BatchResults.objects.filter(batch=rk.batch).update(
        filing_due=timezone.localdate() + timedelta(days=1)
    )
    html = _client(rk, "institution_a").get(_url("results-batch", rk)).content.decode()
    assert 'id="filing-overdue"' not in html


# --- the centre --------------------------------------------------------------------------


def _filed(rk: ResultsKit, days_ago: int = 40) -> BatchResults:
    """Published ``days_ago`` days back (publicity over), filed today."""
    published_world(rk, today=timezone.localdate() - timedelta(days=days_ago))
    response = _client(rk, "institution_a").post(_url("results-file", rk), follow=True)
    assert "成绩已报备，等待属地人社部门审核。" in _messages(response)
    return BatchResults.objects.get(batch=rk.batch)


def test_filings_list_for_authorities_with_overdue_first(rk: ResultsKit) -> None:
    scored_world(rk)
    BatchResults.objects.filter(batch=rk.batch).update(
        filing_due=timezone.localdate() - timedelta(days=2)
    )
    response = _client(rk, "city_a").get(reverse("results-filings"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<tr class="overdue" data-batch="{rk.batch.pk}">' in html
    assert "已逾期" in html
    # City B does not see institution A's results; institutions and candidates are refused.
    html = _client(rk, "city_b").get(reverse("results-filings")).content.decode()
    assert rk.batch.code not in html
    for role in ("institution_a", "education", "candidate", "examiner"):
        assert _client(rk, role).get(reverse("results-filings")).status_code == 403


def test_centre_approves_filed_results(rk: ResultsKit) -> None:
    published = _filed(rk)
    assert published.status == ResultsStatus.FILED
    url = reverse("results-filing", kwargs={"batch_pk": rk.batch.pk})
    html = _client(rk, "city_a").get(url).content.decode()
    assert 'id="action-approve"' in html
    # The institution may read but not decide; city B does not see it.
    assert 'id="action-approve"' not in _client(rk, "institution_a").get(url).content.decode()
    approve = reverse("results-approve", kwargs={"batch_pk": rk.batch.pk})
    assert _client(rk, "institution_a").post(approve).status_code == 403
    assert _client(rk, "city_b").post(approve).status_code == 404
    assert _client(rk, "education").post(approve).status_code == 403
    assert BatchResults.objects.get(batch=rk.batch).status == ResultsStatus.FILED
    response = _client(rk, "city_a").post(approve, follow=True)
    assert "成绩备案已审核通过。" in _messages(response)
    assert BatchResults.objects.get(batch=rk.batch).status == ResultsStatus.APPROVED
    assert rk.batch.status == BatchStatus.RESULTS_FILED


def test_centre_returns_and_the_institution_files_again(rk: ResultsKit) -> None:
    _filed(rk)
    back = reverse("results-return", kwargs={"batch_pk": rk.batch.pk})
    response = _client(rk, "city_a").post(back, {"reason": ""}, follow=True)
    assert any("退回原因" in m for m in _messages(response))
    assert BatchResults.objects.get(batch=rk.batch).status == ResultsStatus.FILED
    assert _client(rk, "institution_a").post(back, {"reason": "x"}).status_code == 403
    response = _client(rk, "province").post(
        back, {"reason": "第3名考生成绩与评分表不符"}, follow=True
    )
    assert "成绩备案已退回机构更正。" in _messages(response)
    published = BatchResults.objects.get(batch=rk.batch)
    assert published.status == ResultsStatus.RETURNED
    html = _client(rk, "institution_a").get(_url("results-batch", rk)).content.decode()
    assert "第3名考生成绩与评分表不符" in html
    assert 'id="action-file"' in html
    _client(rk, "institution_a").post(_url("results-file", rk))
    assert BatchResults.objects.get(batch=rk.batch).status == ResultsStatus.FILED


def test_approval_waits_for_publicity_and_open_objections(rk: ResultsKit) -> None:
    published_world(rk)  # published today: publicity runs
    _client(rk, "institution_a").post(_url("results-file", rk))
    approve = reverse("results-approve", kwargs={"batch_pk": rk.batch.pk})
    response = _client(rk, "city_a").post(approve, follow=True)
    assert any("公示期满后才能审核通过" in m for m in _messages(response))
    assert BatchResults.objects.get(batch=rk.batch).status == ResultsStatus.FILED


# --- the candidate -----------------------------------------------------------------------


def test_candidate_sees_only_their_own_results_after_publication(rk: ResultsKit) -> None:
    own = link_candidate(rk, 2)
    scored_world(rk)
    client = _client(rk, "candidate")
    html = client.get(reverse("results-mine")).content.decode()
    assert 'id="no-results"' in html  # computed but not published: nothing shown
    publication_day = timezone.localdate()
    from skillcert.results import publication

    publication.results_publish(actor=rk.admin, batch=rk.batch, today=publication_day)
    response = client.get(reverse("results-mine"))
    html = response.content.decode()
    [mine] = response.context["results"]
    assert mine.application.pk == own.pk
    assert f'id="result-{own.pk}"' in html
    assert f"{PRACTICAL[2]:.2f}" in html
    assert "不合格" in html
    for other in rk.candidates:
        if other.pk != own.pk:
            assert (other.admission_number or "") not in html
            assert f"{PRACTICAL[rk.candidates.index(other)]:.2f}" not in html


def test_candidate_objects_during_publicity_and_asks_for_review(rk: ResultsKit) -> None:
    own = link_candidate(rk, 2)
    published_world(rk)
    client = _client(rk, "candidate")
    html = client.get(reverse("results-mine")).content.decode()
    assert f'id="objection-form-{own.pk}"' in html
    assert 'value="objection"' in html
    url = reverse("results-objection-submit", kwargs={"application_pk": own.pk})
    response = client.post(
        url, {"kind": "objection", "text": "公示成绩与本人记录不符"}, follow=True
    )
    assert any("已提交" in m for m in _messages(response))
    response = client.post(
        url, {"kind": "review", "component": "practical", "text": "申请复核"}, follow=True
    )
    kinds = set(Objection.objects.filter(application=own).values_list("kind", flat=True))
    assert kinds == {ObjectionKind.OBJECTION, ObjectionKind.REVIEW}
    assert "公示成绩与本人记录不符" in response.content.decode()


def test_after_publicity_only_a_review_may_be_requested(rk: ResultsKit) -> None:
    own = link_candidate(rk, 2)
    published = published_world(rk, today=timezone.localdate() - timedelta(days=10))
    today = timezone.localdate()
    assert published.publicity_ends is not None
    assert published.objections_close is not None
    assert published.publicity_ends < today <= published.objections_close
    client = _client(rk, "candidate")
    html = client.get(reverse("results-mine")).content.decode()
    assert 'value="objection"' not in html
    assert 'value="review"' in html
    url = reverse("results-objection-submit", kwargs={"application_pk": own.pk})
    response = client.post(url, {"kind": "objection", "text": "异议"}, follow=True)
    assert any("公示期已于" in m for m in _messages(response))
    assert not Objection.objects.exists()
    client.post(url, {"kind": "review", "component": "practical", "text": "复核"})
    assert Objection.objects.get().kind == ObjectionKind.REVIEW


def test_candidate_cannot_object_for_someone_else(rk: ResultsKit) -> None:
    link_candidate(rk, 0)
    published_world(rk)
    other = rk.candidates[1]
    url = reverse("results-objection-submit", kwargs={"application_pk": other.pk})
    response = _client(rk, "candidate").post(url, {"kind": "objection", "text": "x"})
    assert response.status_code == 404
    assert not Objection.objects.exists()


def test_examiner_and_officials_have_no_results_of_their_own(rk: ResultsKit) -> None:
    published_world(rk)
    for role in ("examiner", "city_a", "institution_a"):
        response = _client(rk, role).get(reverse("results-mine"))
        assert response.status_code == 200
        assert response.context["results"] == []


# --- pending revocations ------------------------------------------------------------------


def test_pending_revocations_list(rk: ResultsKit) -> None:
    scored_world(rk)
    CertificateRevocation.objects.create(
        application=rk.candidates[0], reason="作弊，成绩无效", requested_by_label="机构A"
    )
    CertificateRevocation.objects.create(
        application=rk.candidates[1],
        reason="已处理",
        requested_by_label="机构A",
        status=RevocationStatus.DONE,
    )
    for role in ("institution_a", "city_a", "province"):
        html = _client(rk, role).get(reverse("results-revocations")).content.decode()
        assert "作弊，成绩无效" in html
        assert "已处理" not in html
    for role in ("institution_b", "city_b"):
        html = _client(rk, role).get(reverse("results-revocations")).content.decode()
        assert "作弊，成绩无效" not in html
    for role in ("candidate", "examiner", "education"):
        assert _client(rk, role).get(reverse("results-revocations")).status_code == 403


def test_revocation_after_approval_shows_on_the_batch_page(rk: ResultsKit) -> None:
    _filed(rk)
    _client(rk, "city_a").post(reverse("results-approve", kwargs={"batch_pk": rk.batch.pk}))
    assert BatchResults.objects.get(batch=rk.batch).status == ResultsStatus.APPROVED
    _client(rk, "city_a").post(
        _url("results-void", rk),
        {
            "application": rk.candidates[0].pk,
            "grade": "very_serious",
            "reason": "证书发放后查实替考",
        },
    )
    revocation = CertificateRevocation.objects.get(application=rk.candidates[0])
    assert revocation.status == RevocationStatus.PENDING
    html = _client(rk, "institution_a").get(_url("results-batch", rk)).content.decode()
    assert 'id="revocations"' in html
    assert "待撤销证书" in html


def test_theory_collect_button(rk: ResultsKit) -> None:
    rk.assessed()
    response = _client(rk, "institution_a").post(_url("results-theory-collect", rk), follow=True)
    assert response.status_code == 200
    msgs = _messages(response)
    assert "已收集理论成绩。" in msgs
    # Seats without an attempt in a closed session are absent.
    assert any("条理论成绩" in m for m in msgs)
    states = set(
        ComponentScore.objects.filter(component=Component.THEORY).values_list("state", flat=True)
    )
    assert states == {ComponentState.ABSENT}
    assert set(ComponentScore.objects.values_list("source", flat=True)) <= {
        ScoreSource.EXAM,
        ScoreSource.ENTERED,
    }
    assert Decimal(0) not in set(ComponentScore.objects.values_list("score", flat=True))


def test_batch_page_queries_do_not_grow_with_rows(rk: ResultsKit) -> None:
    """No N+1: the page costs as many queries with two candidates as with four, and with
    or without objections (STYLE.md 9)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    published_world(rk)
    client = _client(rk, "institution_a")
    url = _url("results-batch", rk)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    baseline = count()
    for application in rk.candidates:
        Objection.objects.create(
            application=application, kind=ObjectionKind.OBJECTION, text="x", submitted_by_label="x"
        )
        CertificateRevocation.objects.create(
            application=application, reason="r", requested_by_label="x"
        )
    assert count() == baseline
    Application.objects.filter(pk__in=[a.pk for a in rk.candidates[2:]]).update(
        status=ApplicationStatus.WITHDRAWN
    )
    assert count() == baseline
