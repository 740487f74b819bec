from django.urls import path

from smartcounty.foundation.alerts import feed, views

urlpatterns = [
    path("", views.index, name="index"),
    path("feed", feed.feed, name="feed"),
    path("rules/", views.rules, name="rules"),
    path("<int:alert_id>/", views.detail, name="detail"),
    path("<int:alert_id>/acknowledge", views.act, {"action": "acknowledge"}, name="acknowledge"),
    path("<int:alert_id>/resolve", views.act, {"action": "resolve"}, name="resolve"),
]
