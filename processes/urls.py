from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("children/", views.ChildListView.as_view(), name="child-list"),
    path("children/<int:pk>/", views.child_detail, name="child-detail"),
]

from .audit_search import audit_search  # noqa: E402

urlpatterns += [path("audit/", audit_search, name="audit-search")]
