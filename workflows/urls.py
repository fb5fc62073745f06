from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import api, views

task = "processes/<int:process_id>/tasks/<int:task_id>/"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path(task, views.task_detail, name="task-detail"),
    path(task + "claim/", views.task_claim, name="task-claim"),
    path(task + "release/", views.task_release, name="task-release"),
    path("children/<int:pk>/timeline/", views.child_timeline_page, name="child-timeline"),
    path("api/tasks/", api.task_list, name="api-task-list"),
    path("api/" + task, api.task_detail, name="api-task-detail"),
    path("api/" + task + "claim/", api.task_claim, name="api-task-claim"),
    path("api/" + task + "release/", api.task_release, name="api-task-release"),
    path("api/" + task + "complete/", api.task_complete, name="api-task-complete"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
