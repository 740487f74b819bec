from django.urls import path

from smartcounty.foundation.portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("air/", views.air, name="air"),
    path("staff/", views.staff_home, name="staff"),
]
