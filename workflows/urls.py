from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import api, calendar_views, organisation_views, transition_views, views

task = "processes/<int:process_id>/tasks/<int:task_id>/"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export/<str:table>.csv", organisation_views.dashboard_export, name="dashboard-export"),
    path("organisation/", organisation_views.organisation_page, name="organisation"),
    path(task, views.task_detail, name="task-detail"),
    path(task + "claim/", views.task_claim, name="task-claim"),
    path(task + "release/", views.task_release, name="task-release"),
    path("children/<int:pk>/timeline/", views.child_timeline_page, name="child-timeline"),
    path("moves/", transition_views.room_moves, name="room-moves"),
    path("moves/<int:move_id>/", transition_views.room_move_detail, name="room-move"),
    path("children/<int:pk>/key-person-change/", transition_views.key_person_change, name="key-person-change"),
    path("staff/<int:staff_id>/key-children/", transition_views.staff_key_children, name="staff-key-children"),
    path("api/tasks/", api.task_list, name="api-task-list"),
    path("api/" + task, api.task_detail, name="api-task-detail"),
    path("api/" + task + "claim/", api.task_claim, name="api-task-claim"),
    path("api/" + task + "release/", api.task_release, name="api-task-release"),
    path("api/" + task + "complete/", api.task_complete, name="api-task-complete"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/feed/<str:token>.ics", calendar_views.calendar_feed, name="calendar-feed"),
    path("calendar/feed/reset/", calendar_views.calendar_feed_reset, name="calendar-feed-reset"),
    path("calendar/drop-ins/", calendar_views.drop_ins_new, name="drop-ins-new"),
    path("calendar/drop-ins/<int:pk>/take/", calendar_views.drop_in_take, name="drop-in-take"),
    path("children/<int:pk>/meetings/new/", calendar_views.meeting_new, name="meeting-new"),
    path("meetings/<int:pk>/", calendar_views.meeting_detail, name="meeting-detail"),
    path("children/<int:pk>/two-year-check/", calendar_views.two_year_check_page, name="two-year-check"),
    path("children/<int:pk>/two-year-check.pdf", calendar_views.two_year_check_pdf_page, name="two-year-check-pdf"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]
