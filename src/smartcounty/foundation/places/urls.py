from django.urls import path

from smartcounty.foundation.places import views

urlpatterns = [
    path("", views.map_page, name="map"),
]
