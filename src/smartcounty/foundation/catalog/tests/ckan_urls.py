"""The project's URLs plus the CKAN action API, as the project urls.py will mount them."""

from smartcounty.foundation.catalog.ckan import ckan_urlpatterns
from smartcounty.urls import urlpatterns as project_urlpatterns

urlpatterns = [*ckan_urlpatterns, *project_urlpatterns]
