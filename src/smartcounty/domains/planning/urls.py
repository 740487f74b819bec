from django.urls import path

from smartcounty.domains.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.index, name="index"),
    path("checks/", views.checks, name="checks"),
    path("checks/<int:pk>/", views.check, name="check"),
    path("checks/<int:pk>/report.pdf", views.report_pdf, name="report-pdf"),
]
