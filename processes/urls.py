from django.urls import path

from . import views
from .audit_search import audit_search

urlpatterns = [
    path("", views.home, name="home"),
    path("children/", views.ChildListView.as_view(), name="child-list"),
    path("children/<int:pk>/", views.child_detail, name="child-detail"),
    path("audit/", audit_search, name="audit-search"),
]
