"""What accounts adds to the admin's list of staff: a link to choose a new password, a second factor reset.

The staff admin lives in processes, which does not import the layers above it; it offers
``staff_admin_action`` for actions like these.
"""

from __future__ import annotations

from django.contrib import admin

from processes.admin import staff_admin_action

from .password_reset import password_reset_send
from .second_factor import second_factor_reset


@staff_admin_action
@admin.action(description="E-mail a link to choose a new password (a forgotten one)", permissions=["change"])
def send_password_reset(modeladmin, request, queryset):
    modeladmin.for_each(request, queryset.select_related("user"),
                        lambda staff: password_reset_send(user=staff.user, by=request.user),
                        lambda staff, _: f"a link to choose a new password is on its way to {staff.user.email}.")


@staff_admin_action
@admin.action(description="Reset two-factor log-in (a lost phone)", permissions=["change"])
def reset_second_factor(modeladmin, request, queryset):
    modeladmin.for_each(request, queryset.select_related("user"),
                        lambda staff: second_factor_reset(user=staff.user, by=request.user),
                        lambda staff, removed: f"two-factor log-in reset ({removed} app(s) removed); logged out.")
