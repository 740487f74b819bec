from django.urls import path

from smartcounty.domains.governance import views

urlpatterns = [
    path("", views.stats, name="stats"),
]
