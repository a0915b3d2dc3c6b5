from django.urls import URLPattern, path

from skillcert.exams import views_tickets

urlpatterns: list[URLPattern] = [
    path("applications/<int:pk>/ticket.pdf", views_tickets.ticket_pdf, name="ticket-pdf"),
    path(
        "sessions/<int:session_pk>/tickets.pdf",
        views_tickets.session_tickets_pdf,
        name="session-tickets-pdf",
    ),
]
