from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.generic import ListView

from .access import child_for, children_visible_to


@login_required
def home(request):
    return redirect("child-list")


class ChildListView(ListView):
    template_name = "processes/child_list.html"
    context_object_name = "children"

    def get_queryset(self):
        return children_visible_to(self.request.user).select_related("room")


@login_required
def child_detail(request, pk: int):
    child = child_for(request.user, pk)
    return render(request, "processes/child_detail.html", {"child": child})
