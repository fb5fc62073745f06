from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.my_notifications, name="my-notifications"),
    path("notifications/read/", views.mark_read, name="notifications-read"),
    path("notifications/preference/", views.preference_set, name="notifications-preference"),
    path("notifications/sent/", views.sent_notifications, name="sent-notifications"),
    path("notifications/<int:pk>/retry/", views.retry, name="notification-retry"),
]
