from django.urls import path

from smartcounty.foundation.catalog import views

urlpatterns = [
    path("", views.portal, name="portal"),
    path("domain/<slug:domain_slug>/", views.portal, name="domain"),
    path("d/<slug:slug>/", views.dataset, name="dataset"),
    path("d/<slug:slug>/download.<str:fmt>", views.download, name="download"),
    path("apps/", views.apps, name="apps"),
    path("internal/", views.internal, name="internal"),
    path("internal/<slug:slug>/upload/", views.upload, name="upload"),
]
