from django.urls import path

from smartcounty.domains.tourism import views

app_name = "tourism"
urlpatterns = [
    path("", views.index, name="index"),
    path("stats/", views.stats, name="stats"),
]
