"""URL wiring: pages, admin, and every module's pages and API found through the module list.

A module's ``urls.py`` is mounted at ``/<label>/`` and its ``api.py`` router at
``/api/v1/<label>/``. Nothing here names a domain.
"""

from importlib import import_module
from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from smartcounty.api import api
from smartcounty.kernel import views as kernel_views
from smartcounty.modules import module_packages

handler404 = "smartcounty.kernel.views.not_found"

urlpatterns = [
    path("", kernel_views.home, name="home"),
    path("healthz", kernel_views.healthz, name="healthz"),
    path("readyz", kernel_views.readyz, name="readyz"),
    path("metrics", kernel_views.metrics, name="metrics"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

# CKAN-compatible Action API (/api/3/action/, /api/action/) of the catalog module, at CKAN's own paths.
if find_spec("smartcounty.foundation.catalog.ckan") is not None:
    urlpatterns += import_module("smartcounty.foundation.catalog.ckan").ckan_urlpatterns

# OGC SensorThings API 1.1 (/v1.1/) of the sensing module, at the standard's own path.
if find_spec("smartcounty.foundation.sensing.sta") is not None:
    urlpatterns += import_module("smartcounty.foundation.sensing.sta.urls").sta_urlpatterns

# The OpenID Connect provider of accounts: /o/… and the two /.well-known/ documents at the site's root.
if find_spec("smartcounty.foundation.accounts.oidc.urls") is not None:
    urlpatterns += import_module("smartcounty.foundation.accounts.oidc.urls").urlpatterns

for package in module_packages():
    if find_spec(f"{package}.urls") is None:
        continue
    mod = import_module(f"{package}.urls")
    label = package.rsplit(".", 1)[-1]
    urlpatterns.append(path(f"{label}/", include((mod.urlpatterns, label), namespace=label)))
