from django.urls import path

from smartcounty.domains.traffic import views

app_name = "traffic"
urlpatterns = [
    path("", views.index, name="index"),
    path("incidents/", views.incidents, name="incidents"),
    path("parking/", views.parking, name="parking"),
    path("notices/", views.notices, name="notices"),
    path("parking/live/", views.parking_live, name="parking-live"),
]
