"""Seats and sign-in sheets of a session, for the institution's staff and its authorities."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from skillcert.batches.models import Session
from skillcert.core.actors import ActorRequest
from skillcert.core.web import run_action
from skillcert.enrollment import documents, seating


def _session(request: ActorRequest, session_pk: int) -> Session:
    return get_object_or_404(
        Session.objects.for_actor(request.actor).select_related(
            "batch__institution__organisation",
            "batch__occupation",
            "batch__work_type",
            "room__site",
        ),
        pk=session_pk,
    )


def _forbidden(request: ActorRequest) -> HttpResponse:
    return render(request, "core/forbidden.html", status=403)


@login_required
@require_http_methods(["GET", "POST"])
def session_seats(request: ActorRequest, session_pk: int) -> HttpResponse:
    """GET: the session's seats; POST: seat the approved candidates not yet seated."""
    session = _session(request, session_pk)
    if not documents.can_read_documents(request.actor):
        return _forbidden(request)
    if request.method == "POST":
        run_action(
            request,
            lambda: seating.seats_assign(actor=request.actor, session=session),
            success=_("考场座位已安排。"),
        )
        return redirect("session-seats", session_pk=session.pk)
    context = {
        "session": session,
        "batch": session.batch,
        "time": documents.session_time(session),
        "seats": documents.session_seats(session),
        "summary": seating.seating_summary(session),
        "can_assign": seating.can_assign_seats(request.actor, session.batch),
    }
    return render(request, "enrollment/documents_session.html", context)


@login_required
@require_GET
def signin_sheet(request: ActorRequest, session_pk: int) -> HttpResponse:
    """The session's 签到表 as a PDF."""
    session = _session(request, session_pk)
    if not documents.can_read_documents(request.actor):
        return _forbidden(request)
    response = HttpResponse(documents.signin_sheet_pdf(session), content_type="application/pdf")
    filename = f"签到表-{session.batch.code}-{session.pk}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename) or "inline"
    # Names and masked IDs: keep it out of shared caches.
    response["Cache-Control"] = "private, no-store"
    return response
