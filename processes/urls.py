from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("children/", views.ChildListView.as_view(), name="child-list"),
    path("children/<int:pk>/", views.child_detail, name="child-detail"),
    path("children/<int:pk>/export/", views.child_export, name="child-export"),
]
