from django.urls import path

from smartcounty.domains.weather import views

app_name = "weather"
urlpatterns = [
    path("", views.index, name="index"),
]
