from django.urls import path

from smartcounty.domains.economy import views

urlpatterns = [
    path("", views.enterprises, name="enterprises"),
    path("enterprises/<int:pk>/", views.enterprise, name="enterprise"),
    path("parks/", views.parks, name="parks"),
    path("parks/<int:pk>/", views.park, name="park"),
    path("import/", views.import_page, name="import"),
]
