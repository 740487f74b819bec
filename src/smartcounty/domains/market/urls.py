from django.urls import path

from smartcounty.domains.market import views

urlpatterns = [
    path("", views.index, name="index"),
    path("equipment/<int:pk>/", views.equipment, name="equipment"),
    path("units/<str:uscc>/", views.unit, name="unit"),
    path("food/", views.food, name="food"),
    path("food/<int:pk>/", views.business, name="business"),
    path("import/", views.import_page, name="import"),
]
