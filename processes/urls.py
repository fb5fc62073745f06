from django.urls import path

from . import api, sen_views, views
from .audit_search import audit_search

urlpatterns = [
    path("", views.home, name="home"),
    path("children/", views.ChildListView.as_view(), name="child-list"),
    path("children/<int:pk>/", views.child_detail, name="child-detail"),
    path("children/<int:pk>/sen/", sen_views.sen_record, name="sen-record"),
    path("children/<int:pk>/sen/concerns/new/", sen_views.sen_concern_new, name="sen-concern-new"),
    path("api/children/<int:pk>/sen/", api.sen_concerns, name="api-sen-concerns"),
    path("api/children/<int:pk>/consents/", api.consents, name="api-consents"),
    path("audit/", audit_search, name="audit-search"),
    path("children/<int:pk>/export/", views.child_export, name="child-export"),
]
