from django.urls import path

from smartcounty.foundation.cases import views

urlpatterns = [
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/bulk/", views.workbench_bulk, name="workbench_bulk"),
    path("new/", views.file_new, name="file_new"),
    path("new/<str:key>/", views.file_form, name="file_form"),
    path("<int:pk>/", views.case_page, name="case"),
    path("<int:pk>/", views.case_page, name="detail"),  # the name the cockpit links to
    path("<int:pk>/steps/<slug:key>/", views.case_step, name="step"),
    path("<int:pk>/comments/", views.case_comment, name="comment"),
    path("<int:pk>/attachments/", views.case_attach, name="attach"),
]
