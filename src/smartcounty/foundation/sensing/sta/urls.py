"""``/v1.1/``: mounted at the site's root by the project's urls.py (``sta_urlpatterns``)."""

from django.urls import re_path

from smartcounty.foundation.sensing.sta import views

sta_urlpatterns = [
    re_path(r"^v1\.1/?$", views.root, name="sta-root"),
    re_path(r"^v1\.1/(?P<path>.+)$", views.resource, name="sta-resource"),
]
