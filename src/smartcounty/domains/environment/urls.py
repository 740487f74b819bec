from django.urls import path

from smartcounty.domains.environment import views

app_name = "environment"
urlpatterns = [
    path("", views.index, name="index"),
]
