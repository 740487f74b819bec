from django.urls import path

from smartcounty.foundation.cockpit import views

urlpatterns = [
    path("", views.index, name="index"),
]
