"""Check-in pages (考场定位打卡, 云人社函〔2023〕1号 三(二)): one's own check-in with the
browser's position, the room's desk for exam staff, and the session's list with export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from skillcert.batches.models import Session
from skillcert.core.actors import ActorRequest
from skillcert.core.errors import DomainError
from skillcert.core.excel import XLSX_CONTENT_TYPE, workbook_bytes
from skillcert.core.web import file_response, forbidden
from skillcert.enrollment.documents import session_time
from skillcert.exams import checkin
from skillcert.exams.checkin import Recorded


def _in_scope(request: ActorRequest, session_pk: int) -> Session | None:
    return (
        Session.objects.for_actor(request.actor)
        .select_related(*checkin.SESSION_RELATED)
        .filter(pk=session_pk)
        .first()
    )


def _client_address(request: ActorRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _record(request: ActorRequest, session: Session, admission: str = "") -> Recorded | None:
    """Parse the posted position and call the service; refusals become messages."""
    post = request.POST
    try:
        location = checkin.parse_location(
            post.get("latitude", ""), post.get("longitude", ""), post.get("accuracy", "")
        )
        return checkin.checkin_record(
            actor=request.actor,
            session=session,
            location=location,
            client_address=_client_address(request),
            admission=admission,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return None


def _report(request: ActorRequest, recorded: Recorded, who: str = "") -> None:
    """Tell how the check-in went: inside the radius, outside it, or without a position."""
    row = recorded.checkin
    prefix = f"{who}：" if who else ""
    if not recorded.created:
        at = f"{timezone.localtime(row.at):%H:%M}"
        messages.info(request, prefix + _("已于 %(time)s 签到，无需重复签到。") % {"time": at})
    elif row.within_radius is None:
        messages.warning(
            request,
            prefix
            + _(
                "签到已记录，但未获取到定位（浏览器拒绝或不支持定位），"
                "无法核验是否在考点，请向考务人员说明。"
            ),
        )
    elif row.within_radius:
        done = _("签到成功：距考点约 %(distance)s 米，在考点范围内。")
        messages.success(request, prefix + done % {"distance": row.distance_m})
    else:
        flagged = _(
            "签到已记录，但定位距考点约 %(distance)s 米，"
            "超出考点范围（%(radius)s 米），已标记待核查。"
        )
        radius = row.session.room.site.radius_m
        messages.warning(request, prefix + flagged % {"distance": row.distance_m, "radius": radius})


@login_required
@require_GET
def checkin_home(request: ActorRequest) -> HttpResponse:
    """The actor's sessions from today on, as candidate or as assigned staff."""
    rows = checkin.my_sessions(request.actor)
    return render(request, "exams/checkin_home.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def checkin_session(request: ActorRequest, session_pk: int) -> HttpResponse:
    """GET: the check-in page; POST: check in with the position the browser reported."""
    target = checkin.self_target(request.actor, session_pk)
    if target is None:
        if _in_scope(request, session_pk) is not None:
            return forbidden(request)
        raise Http404
    session = target.session
    if request.method == "POST":
        recorded = _record(request, session)
        if recorded is not None:
            _report(request, recorded)
        return redirect("checkin-session", session_pk=session.pk)
    context = {
        "session": session,
        "batch": session.batch,
        "site": session.room.site,
        "time": session_time(session),
        "window": checkin.window_text(session),
        "seat": target.seat,
        "staff": target.staff,
        "mine": checkin.my_checkin(request.actor, session),
    }
    return render(request, "exams/checkin_session.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def checkin_desk(request: ActorRequest, session_pk: int) -> HttpResponse:
    """The room's desk: exam staff record arrivals by admission number or ticket QR code."""
    session = _in_scope(request, session_pk)
    if session is None:
        session = checkin.desk_session(request.actor, session_pk)
        if session is None:
            raise Http404
    elif not checkin.can_keep_desk(request.actor, session):
        return forbidden(request)
    if request.method == "POST":
        admission = request.POST.get("admission", "").strip()
        if not admission:
            messages.error(request, _("请输入准考证号或扫描准考证二维码。"))
        else:
            recorded = _record(request, session, admission=admission)
            if recorded is not None and recorded.checkin.seat is not None:
                application = recorded.checkin.seat.application
                who = f"{application.person.full_name}（{application.admission_number}）"
                _report(request, recorded, who)
        return redirect("checkin-desk", session_pk=session.pk)
    context = {
        "session": session,
        "batch": session.batch,
        "site": session.room.site,
        "time": session_time(session),
        "window": checkin.window_text(session),
        "roll": checkin.session_roll(session),
    }
    return render(request, "exams/checkin_desk.html", context)


def _readable(request: ActorRequest, session_pk: int) -> Session:
    session = _in_scope(request, session_pk)
    if session is None:
        raise Http404
    return session


@login_required
@require_GET
def checkin_list(request: ActorRequest, session_pk: int) -> HttpResponse:
    """Who is present, who is missing, and who checked in away from the site."""
    session = _readable(request, session_pk)
    if not checkin.can_read_checkins(request.actor):
        return forbidden(request)
    context = {
        "session": session,
        "batch": session.batch,
        "site": session.room.site,
        "time": session_time(session),
        "window": checkin.window_text(session),
        "roll": checkin.session_roll(session),
        "can_keep_desk": checkin.can_keep_desk(request.actor, session),
    }
    return render(request, "exams/checkin_list.html", context)


@login_required
@require_GET
def checkin_export(request: ActorRequest, session_pk: int) -> HttpResponse:
    """The check-in list as .xlsx (formula injection neutralised by the shared writer)."""
    session = _readable(request, session_pk)
    if not checkin.can_read_checkins(request.actor):
        return forbidden(request)
    content = workbook_bytes(
        title="签到情况",
        headers=checkin.EXPORT_HEADERS,
        rows=checkin.roll_export_rows(checkin.session_roll(session)),
    )
    filename = f"签到情况-{session.batch.code}-{session.pk}.xlsx"
    return file_response(content, filename, XLSX_CONTENT_TYPE)
