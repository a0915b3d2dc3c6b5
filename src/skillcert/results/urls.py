from django.urls import include, path

urlpatterns = [
    path("results/", include("skillcert.results.urls_scoring")),
]
