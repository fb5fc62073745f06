from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from processes.access import staff_of
from processes.errors import RuleViolation

from . import services
from .forms import PreferenceForm
from .models import Status
from .selectors import notifications_of, notifications_of_setting


def my_notifications(request):
    page = Paginator(notifications_of(request.user), 50).get_page(request.GET.get("page"))
    form = PreferenceForm(initial={"email": services.email_preference_of(request.user)})
    return render(request, "notifications/mine.html", {"page": page, "form": form})


@require_POST
def mark_read(request):
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    services.notification_mark_read(user=request.user, notification_ids=ids)
    return redirect("my-notifications")


@require_POST
def preference_set(request):
    form = PreferenceForm(request.POST)
    if form.is_valid():
        services.notification_preference_set(user=request.user, email=form.cleaned_data["email"])
        messages.success(request, "Saved how you are e-mailed.")
        return redirect("my-notifications")
    page = Paginator(notifications_of(request.user), 50).get_page(1)
    return render(request, "notifications/mine.html", {"page": page, "form": form}, status=400)


def _managed_setting_id(request) -> int:
    staff = staff_of(request.user)
    if staff is None or not staff.is_manager:
        raise PermissionDenied("Only the setting's manager sees what was sent.")
    return staff.setting_id


def sent_notifications(request):
    status = request.GET.get("status") or None
    sent = notifications_of_setting(_managed_setting_id(request), status=status)
    page = Paginator(sent, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/sent.html", {
        "page": page, "status": status, "statuses": Status.choices,
    })


@require_POST
def retry(request, pk: int):
    _managed_setting_id(request)
    try:
        notification = services.notification_retry(notification_id=pk, by=request.user)
        messages.success(request, f"Queued again: {notification.subject}.")
    except RuleViolation as exc:
        messages.error(request, exc.message)
    return redirect("sent-notifications")
