"""Admission tickets as PDF: a candidate's own, and a whole session's for the institution."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET

from skillcert.batches.models import Session
from skillcert.core.actors import ActorRequest
from skillcert.core.errors import DomainError
from skillcert.core.web import file_response, forbidden
from skillcert.enrollment.models import Application
from skillcert.exams import tickets


def _pdf(data: bytes, filename: str) -> HttpResponse:
    return file_response(data, filename, "application/pdf")


@login_required
@require_GET
def ticket_pdf(request: ActorRequest, pk: int) -> HttpResponse:
    """One candidate's 准考证: the candidate's own, or any of the institution's staff."""
    application = get_object_or_404(
        Application.objects.for_actor(request.actor).select_related("person", "batch__institution"),
        pk=pk,
    )
    if not tickets.can_download_ticket(request.actor, application):
        return forbidden(request)
    try:
        data = tickets.ticket_pdf(application)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("application-detail", pk=application.pk)
    return _pdf(data, f"准考证-{application.admission_number}.pdf")


@login_required
@require_GET
def session_tickets_pdf(request: ActorRequest, session_pk: int) -> HttpResponse:
    """Every seated candidate's 准考证 for one session, one page each."""
    session = get_object_or_404(
        Session.objects.for_actor(request.actor).select_related("batch__institution"),
        pk=session_pk,
    )
    if not tickets.can_download_session_tickets(request.actor, session):
        return forbidden(request)
    try:
        data = tickets.session_tickets_pdf(session)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("session-seats", session_pk=session.pk)
    return _pdf(data, f"准考证-{session.batch.code}-{session.pk}.pdf")
