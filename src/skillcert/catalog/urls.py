from django.urls import path, register_converter

from skillcert.catalog import views


class OccupationCodeConverter:
    """A 大典 code ``D-DD-DD-DD``."""

    regex = r"\d-\d{2}-\d{2}-\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(OccupationCodeConverter, "occupation_code")

urlpatterns = [
    path("", views.search, name="catalog-search"),
    path("occupations/add/", views.occupation_add, name="catalog-occupation-add"),
    path("occupations/<occupation_code:code>/", views.occupation_detail, name="catalog-occupation"),
    path(
        "occupations/<occupation_code:code>/work-types/add/",
        views.work_type_add,
        name="catalog-work-type-add",
    ),
    path(
        "occupations/<occupation_code:code>/standards/add/",
        views.standard_add,
        name="catalog-standard-add",
    ),
    path("standards/<int:pk>/", views.standard_detail, name="catalog-standard"),
    path(
        "standards/<int:pk>/levels/<int:level>/",
        views.standard_level_edit,
        name="catalog-standard-level",
    ),
    path(
        "standards/<int:pk>/levels/<int:level>/weights/<str:table>/",
        views.weight_table_edit,
        name="catalog-weight-table",
    ),
]
