from django.urls import path

from smartcounty.domains.security import views

urlpatterns = [
    path("", views.index, name="index"),
    path("events/<int:event_id>/", views.event, name="event"),
    path("blocks/<int:block_id>/lift/", views.unblock, name="unblock"),
    path("systems/<int:system_id>/assessment/", views.assessment, name="assessment"),
    path("sites/<int:site_id>/check/", views.check, name="check"),
]
