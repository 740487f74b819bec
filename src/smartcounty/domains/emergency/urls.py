from django.urls import path

from smartcounty.domains.emergency import views

urlpatterns = [
    path("", views.index, name="index"),
    path("incidents/<int:pk>/", views.incident, name="incident"),
    path("incidents/<int:pk>/report/", views.report, name="report"),
    path("resources/", views.resources, name="resources"),
    path("resources/<int:pk>/", views.resource, name="resource"),
    path("import/", views.import_page, name="import"),
    path("duty/", views.duty, name="duty"),
    path("warnings/", views.warnings, name="warnings"),
]
