from django.urls import path

from smartcounty.domains.agriculture import views

urlpatterns = [
    path("", views.advisories, name="advisories"),
    path("farms/", views.farms, name="farms"),
    path("farms/<int:pk>/", views.farm, name="farm"),
]
