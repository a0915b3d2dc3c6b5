"""The proctor console (监考台) of a theory session and its record (考场记录表).

The console's live part refreshes itself with htmx (one view, page or fragment); a seat's
detail and actions load into a panel beside it, so a reason being typed is never wiped
by the refresh. Actions are plain forms that come back to the console with a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from skillcert.batches.choices import SessionStatus
from skillcert.batches.models import Session
from skillcert.batches.permissions import can_plan
from skillcert.core.actors import Actor, ActorRequest
from skillcert.core.errors import PermissionDenied
from skillcert.core.web import file_response, forbidden, form_errors_to_messages, run_action
from skillcert.enrollment.documents import session_time
from skillcert.exams import console, proctoring, sittings
from skillcert.exams.choices import ProctorAction
from skillcert.exams.models import Sitting


class ActionForm(forms.Form):
    # Blank reasons and out-of-range minutes are refused by the service, in its words.
    reason = forms.CharField(label=gettext_lazy("事由"), required=False)
    minutes = forms.IntegerField(label=gettext_lazy("时间（分钟）"), required=False)


class NoteForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("情况记录"), required=False)
    seat = forms.IntegerField(label=gettext_lazy("座位"), required=False)


def _load(request: ActorRequest, session_pk: int) -> Session | HttpResponse:
    """The session if the actor may read its console; 404 outside their reach."""
    try:
        session = console.console_session(actor=request.actor, session_id=session_pk)
    except PermissionDenied as exc:
        return forbidden(request, str(exc.message))
    if session is None:
        raise Http404
    return session


def _console_url(session: Session, seat_pk: int | None = None) -> str:
    url = reverse("proctor-console", kwargs={"session_pk": session.pk})
    return f"{url}?seat={seat_pk}#seat-panel" if seat_pk else url


def _seat_context(actor: Actor, session: Session, seat_pk: int) -> dict[str, Any] | None:
    panel = console.seat_panel(session, seat_pk)
    if panel is None:
        return None
    return {
        "session": session,
        "panel": panel,
        "can_act": proctoring.can_act(actor, session),
        "timed_actions": sorted(proctoring.TIMED_ACTIONS),
    }


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
@require_GET
def console_page(request: ActorRequest, session_pk: int) -> HttpResponse:
    """Every seat's live state, the attendance and the record lines; htmx polls the live
    part (``#live``) every few seconds."""
    session = _load(request, session_pk)
    if isinstance(session, HttpResponse):
        return session
    actor = request.actor
    context: dict[str, Any] = {
        "session": session,
        "batch": session.batch,
        "c": console.console(session),
        "can_act": proctoring.can_act(actor, session),
        "can_run": can_plan(actor, session.batch.institution),
        "time": session_time(session),
    }
    if context["can_run"] and session.status == SessionStatus.PLANNED and not request.htmx:
        sitting = context["c"].sitting
        context["papers"] = sittings.papers_for(session)
        context["chosen"] = set(sitting.papers.values_list("pk", flat=True)) if sitting else set()
    if request.htmx:
        return render(request, "exams/console.html#live", context)
    seat_pk = _int(request.GET.get("seat"))
    if seat_pk is not None:
        context["seat"] = _seat_context(actor, session, seat_pk)
    return render(request, "exams/console.html", context)


@login_required
@require_GET
def console_seat(request: ActorRequest, session_pk: int, seat_pk: int) -> HttpResponse:
    """One seat: its state, event log, record lines and the actions open to it."""
    session = _load(request, session_pk)
    if isinstance(session, HttpResponse):
        return session
    context = _seat_context(request.actor, session, seat_pk)
    if context is None:
        raise Http404
    template = "exams/console_seat.html#panel" if request.htmx else "exams/console_seat.html"
    return render(request, template, {**context, "batch": session.batch})


SUCCESS: dict[str, Any] = {
    ProctorAction.AUTHORISE: gettext_lazy("已授权。"),
    ProctorAction.PAUSE: gettext_lazy("已暂停该考生作答。"),
    ProctorAction.RESUME: gettext_lazy("已恢复该考生作答。"),
    ProctorAction.EXTEND: gettext_lazy("已为该考生延时。"),
    ProctorAction.TERMINATE: gettext_lazy("已终止该考生考试。"),
    ProctorAction.REOPEN: gettext_lazy("已重新开放该考生作答。"),
}


@login_required
@require_POST
def seat_action(request: ActorRequest, session_pk: int, seat_pk: int, action: str) -> HttpResponse:
    if action not in ProctorAction.values:
        raise Http404
    session = _load(request, session_pk)
    if isinstance(session, HttpResponse):
        return session
    if not proctoring.can_act(request.actor, session):
        return forbidden(request, _("您只能查看本场次的监考情况，不能执行监考操作。"))
    seat = console.session_seat(session, seat_pk)
    if seat is None:
        raise Http404
    form = ActionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        run_action(
            request,
            lambda: proctoring.seat_act(
                actor=request.actor,
                seat=seat,
                action=action,
                reason=data["reason"],
                minutes=data["minutes"],
            ),
            success=SUCCESS[action],
        )
    else:
        form_errors_to_messages(request, form)
    return redirect(_console_url(session, seat.pk))


@login_required
@require_POST
def console_note(request: ActorRequest, session_pk: int) -> HttpResponse:
    """A free line of the record, about the room or one seat."""
    session = _load(request, session_pk)
    if isinstance(session, HttpResponse):
        return session
    if not proctoring.can_act(request.actor, session):
        return forbidden(request, _("您只能查看本场次的监考情况，不能记录。"))
    sitting = console.sitting_of(session)
    if sitting is None:
        raise Http404
    form = NoteForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect(_console_url(session))
    seat_pk = form.cleaned_data["seat"]
    seat = console.session_seat(session, seat_pk) if seat_pk else None
    if seat_pk and seat is None:
        raise Http404
    run_action(
        request,
        lambda: proctoring.incident_note(
            actor=request.actor, sitting=sitting, reason=form.cleaned_data["reason"], seat=seat
        ),
        success=_("已记入考场记录。"),
    )
    return redirect(_console_url(session))


SITTING_ACTIONS: dict[str, tuple[Callable[[Actor, Sitting, str], Any], Any]] = {
    "open": (
        lambda actor, sitting, _reason: sittings.sitting_open(actor=actor, sitting=sitting),
        gettext_lazy("已开考，考生可以登录作答。"),
    ),
    "close": (
        lambda actor, sitting, reason: sittings.sitting_close(
            actor=actor, sitting=sitting, reason=reason
        ),
        gettext_lazy("考试已结束，仍在作答的考生已收卷。"),
    ),
}


@login_required
@require_POST
def sitting_action(request: ActorRequest, session_pk: int, action: str) -> HttpResponse:
    """Open or close the sitting (the page asks for a confirmation first)."""
    if action not in SITTING_ACTIONS:
        raise Http404
    session = _load(request, session_pk)
    if isinstance(session, HttpResponse):
        return session
    if not can_plan(request.actor, session.batch.institution):
        return forbidden(request, _("只有本机构的管理员或考务人员可以开考或结束考试。"))
    sitting = console.sitting_of(session)
    if sitting is None:
        raise Http404
    call, success = SITTING_ACTIONS[action]
    reason = request.POST.get("reason", "").strip()[: proctoring.REASON_MAX_LENGTH]
    run_action(request, lambda: call(request.actor, sitting, reason), success=success)
    return redirect(_console_url(session))


@login_required
@require_POST
def sitting_papers(request: ActorRequest, session_pk: int) -> HttpResponse:
    """Arrange the sealed papers (parallel forms) of a planned theory session."""
    session = _load(request, session_pk)
    if isinstance(session, HttpResponse):
        return session
    offered = {p.pk: p for p in sittings.papers_for(session)}
    chosen = [offered[pk] for pk in map(_int, request.POST.getlist("paper")) if pk in offered]
    run_action(
        request,
        lambda: sittings.sitting_prepare(actor=request.actor, session=session, papers=chosen),
        success=gettext_lazy("试卷已安排到本场次。"),
    )
    return redirect(_console_url(session))


def _record_context(session: Session) -> dict[str, Any]:
    return {
        "session": session,
        "batch": session.batch,
        "c": console.console(session),
        "time": session_time(session),
    }


@login_required
@require_GET
def record_page(request: ActorRequest, session_pk: int) -> HttpResponse:
    """The session record (考场记录表) for printing and the archive."""
    session = _load(request, session_pk)
    if isinstance(session, HttpResponse):
        return session
    return render(request, "exams/record.html", _record_context(session))


@login_required
@require_GET
def record_pdf(request: ActorRequest, session_pk: int) -> HttpResponse:
    session = _load(request, session_pk)
    if isinstance(session, HttpResponse):
        return session
    content = console.record_pdf(console.console(session))
    filename = f"考场记录表-{session.batch.code}-{session.pk}.pdf"
    return file_response(content, filename, "application/pdf", inline=True)
