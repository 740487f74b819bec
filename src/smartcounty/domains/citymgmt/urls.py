from django.urls import path, re_path

from smartcounty.domains.citymgmt import open311, views

urlpatterns = [
    path("report/", views.report, name="report"),
    path("mine/", views.my_reports, name="mine"),
    path("performance/", views.performance, name="performance"),
    path("open311/v2/", open311.root, name="open311-root"),
    re_path(r"^open311/v2/discovery\.(?P<fmt>\w+)$", open311.discovery, name="open311-discovery"),
    re_path(r"^open311/v2/services\.(?P<fmt>\w+)$", open311.service_list, name="open311-services"),
    re_path(r"^open311/v2/services/(?P<code>[\w-]+)\.(?P<fmt>\w+)$", open311.service_definition,
            name="open311-service"),
    re_path(r"^open311/v2/requests\.(?P<fmt>\w+)$", open311.requests_view, name="open311-requests"),
    re_path(r"^open311/v2/requests/(?P<request_id>[\w-]+)\.(?P<fmt>\w+)$", open311.request_detail,
            name="open311-request"),
    re_path(r"^open311/v2/servicerequestupdates\.(?P<fmt>\w+)$", open311.updates_view, name="open311-updates"),
]
