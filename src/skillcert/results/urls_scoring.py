"""Scoring URLs, mounted at ``results/`` (sheets, panels, progress, examiners' pages)."""

from django.urls import URLPattern, path

from skillcert.results import views_examiner
from skillcert.results import views_scoring as views

_CANDIDATE = "scoring/panels/<int:panel_pk>/candidates/<int:application_pk>/"

urlpatterns: list[URLPattern] = [
    # Staff: scoring sheets (评分表).
    path("batches/<int:batch_pk>/sheets/", views.sheets_page, name="results-sheets"),
    path(
        "batches/<int:batch_pk>/sheets/from-weights/",
        views.sheet_from_weights,
        name="results-sheets-from-weights",
    ),
    path("batches/<int:batch_pk>/sheets/create/", views.sheet_create, name="results-sheets-create"),
    path("sheets/<int:sheet_pk>/remove/", views.sheet_remove, name="results-sheets-remove"),
    path("sheets/<int:sheet_pk>/items/add/", views.item_add, name="results-sheets-item-add"),
    path("sheet-items/<int:item_pk>/update/", views.item_update, name="results-sheets-item-update"),
    path("sheet-items/<int:item_pk>/remove/", views.item_remove, name="results-sheets-item-remove"),
    # Staff: panels (考评小组) and recusal (回避).
    path("batches/<int:batch_pk>/panels/", views.panels_page, name="results-panels"),
    path("batches/<int:batch_pk>/panels/create/", views.panel_create, name="results-panels-create"),
    path("panels/<int:panel_pk>/remove/", views.panel_remove, name="results-panels-remove"),
    path("panels/<int:panel_pk>/members/add/", views.member_add, name="results-panels-member-add"),
    path(
        "panel-members/<int:member_pk>/remove/",
        views.member_remove,
        name="results-panels-member-remove",
    ),
    path(
        "panels/<int:panel_pk>/candidates/assign/",
        views.candidates_assign,
        name="results-panels-candidates-assign",
    ),
    path(
        "panel-candidates/<int:place_pk>/remove/",
        views.candidate_remove,
        name="results-panels-candidate-remove",
    ),
    path(
        "batches/<int:batch_pk>/links/declare/",
        views.link_declare,
        name="results-panels-link-declare",
    ),
    path("links/<int:link_pk>/remove/", views.link_remove, name="results-panels-link-remove"),
    # Staff: scoring progress, re-scoring and accepting a spread.
    path("batches/<int:batch_pk>/scoring/", views.progress_page, name="results-scoring-progress"),
    path("scores/<int:score_pk>/rescore/", views.rescore_open, name="results-scoring-rescore"),
    path(
        "scores/<int:score_pk>/accept-spread/",
        views.spread_accept,
        name="results-scoring-accept-spread",
    ),
    # Examiners: 我的评分 and the scoring page.
    path("scoring/", views_examiner.my_scoring, name="results-scoring-mine"),
    path(_CANDIDATE, views_examiner.scoring_page, name="results-scoring-sheet"),
    path(
        _CANDIDATE + "sheets/<int:sheet_pk>/save/",
        views_examiner.scoring_save,
        name="results-scoring-save",
    ),
    path(
        _CANDIDATE + "sheets/<int:sheet_pk>/confirm/",
        views_examiner.scoring_confirm,
        name="results-scoring-confirm",
    ),
]
