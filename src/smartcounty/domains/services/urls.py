from django.urls import path

from smartcounty.domains.services import views

urlpatterns = [
    path("", views.index, name="index"),
    path("items/<str:code>/", views.item, name="item"),
    path("items/<str:code>/apply/", views.apply, name="apply"),
    path("mine/", views.mine, name="mine"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("bundles/<int:pk>/", views.bundle, name="bundle"),
    path("desk/", views.desk, name="desk"),
    path("window/", views.window, name="window"),
    path("rectification/", views.rectification, name="rectification"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
    path("statistics/", views.statistics, name="statistics"),
]
