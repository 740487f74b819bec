from django.urls import path

from smartcounty.foundation.sensing import views

urlpatterns = [
    path("", views.things, name="things"),
    path("datastreams/<int:pk>/", views.datastream, name="datastream"),
]
