from django.urls import path

from smartcounty.domains.traceability import views

urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("t/<str:code>/", views.public, name="public"),
    path("t/<str:code>/qr.svg", views.qr, name="qr"),
    path("batches/", views.batches, name="batches"),
]
