from django.urls import path

from smartcounty.domains.logistics import views

urlpatterns = [
    path("", views.network, name="network"),
    path("ecommerce/", views.ecommerce, name="ecommerce"),
]
