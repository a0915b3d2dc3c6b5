"""Supervision URLs: the people pools, the spot-check list (and its public page), my
supervision tasks and a session's 考场记录表."""

from django.urls import URLPattern, path

from skillcert.supervision import views_external as v

urlpatterns: list[URLPattern] = [
    path("supervision/pool/", v.pool_list, name="supervision-pool"),
    path("supervision/pool/add/", v.pool_add, name="supervision-pool-add"),
    path(
        "supervision/pool/<int:pk>/deactivate/",
        v.pool_deactivate,
        name="supervision-pool-deactivate",
    ),
    path("supervision/pool/<int:pk>/link/", v.pool_link, name="supervision-pool-link"),
    path("supervision/checklist/", v.checklist, name="supervision-checklist"),
    path("supervision/checklist/add/", v.checklist_add, name="supervision-checklist-add"),
    path(
        "supervision/checklist/<int:pk>/toggle/",
        v.checklist_toggle,
        name="supervision-checklist-toggle",
    ),
    path("public/inspection-items/", v.public_items, name="public-inspection-items"),
    path("supervision/tasks/", v.tasks, name="supervision-tasks"),
    path("supervision/tasks/<int:pk>/", v.task_detail, name="supervision-task-detail"),
    path("supervision/tasks/<int:pk>/notes/", v.task_note_add, name="supervision-task-note-add"),
    path("supervision/tasks/<int:pk>/mode/", v.task_mode, name="supervision-task-mode"),
    path("supervision/tasks/<int:pk>/finish/", v.task_finish, name="supervision-task-finish"),
    path(
        "supervision/sessions/<int:pk>/notes/",
        v.session_notes,
        name="supervision-session-notes",
    ),
    path(
        "supervision/sessions/<int:pk>/notes.pdf",
        v.session_notes_pdf,
        name="supervision-session-notes-pdf",
    ),
]
