from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("workflows.urls")),
    path("", include("processes.urls")),
    path("", include("notifications.urls")),
]

handler400 = "keyflow.api_errors.bad_request"
handler404 = "keyflow.api_errors.not_found"
