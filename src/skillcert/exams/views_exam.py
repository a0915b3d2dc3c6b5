"""The exam page: a single page speaking the JSON contract of exams/api.py."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET


def page_texts() -> dict[str, str]:
    """The words the script shows, translated on the server."""
    return {
        "item": _("第%(n)s题"),
        "points": _("（%(points)s分）"),
        "true": _("正确"),
        "false": _("错误"),
        "saving": _("正在保存…"),
        "saved": _("答案已保存"),
        "offline": _("网络中断：答案已暂存在本机，恢复连接后自动保存"),
        "paused": _("考试已被监考人员暂停，计时已停止，请稍候。"),
        "confirm_submit": _("交卷后不能再修改答案。确定交卷吗？"),
        "unanswered": _("还有%(n)s题未作答。"),
        "time_up": _("考试时间到，系统已自动收卷。"),
        "ended": _("考试已结束"),
        "submitted": _("您已交卷。成绩将在评分后公布。"),
        "timed_out": _("考试时间到，系统已按您最后保存的答案收卷。成绩将在评分后公布。"),
        "terminated": _("您的考试已被监考人员终止，请听从监考人员安排。"),
        "network": _("网络连接失败，请检查网络后重试。"),
        "type_single": _("单项选择题"),
        "type_multiple": _("多项选择题"),
        "type_true_false": _("判断题"),
        "type_short_answer": _("简答题"),
    }


@require_GET
def exam_page(request: HttpRequest) -> HttpResponse:
    """Candidates sign in here with admission number and ID number (no site account)."""
    return render(request, "exams/exam_page.html", {"texts": page_texts()})
