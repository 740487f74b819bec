from django.urls import path

from smartcounty.domains.plan import views

urlpatterns = [
    path("", views.index, name="index"),
    path("actions/<int:number>/", views.action, name="action"),
    path("actions/<int:number>/tasks/", views.create_task, name="create_task"),
    path("tasks/<int:task_id>/", views.task, name="task"),
    path("tasks/<int:task_id>/progress/", views.progress, name="progress"),
    path("tasks/<int:task_id>/completion/", views.completion, name="completion"),
    path("tasks/<int:task_id>/evaluation/", views.evaluation, name="evaluation"),
    path("report/", views.report, name="report"),
    path("projects/", views.projects, name="projects"),
    path("projects/<int:project_id>/", views.project, name="project"),
    path("projects/<int:project_id>/stage/", views.stage, name="stage"),
    path("projects/<int:project_id>/spending/", views.pay, name="pay"),
]
