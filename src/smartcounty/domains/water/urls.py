from django.urls import path

from smartcounty.domains.water import views

app_name = "water"
urlpatterns = [
    path("", views.index, name="index"),
]
