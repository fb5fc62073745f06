"""Bringing records in and taking them out, for the manager: upload a CSV (the worker checks and writes it, the
page shows its progress and every bad row), download a template per kind, export the setting's lists."""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from .access import setting_manager
from .csv_columns import COLUMNS
from .csv_export import records_export, template_csv
from .csv_import import MAX_BYTES, import_job_create
from .errors import RuleViolation
from .models import ImportJob, ImportKind
from .tasks import run_import_job

JOBS_SHOWN = 10


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=ImportKind.choices)
    file = forms.FileField(label="CSV file", help_text="Comma-separated, UTF-8, with the template's header row.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError("The file is larger than 10 MB: split it.")
        try:
            return upload.name, upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("Save the file as CSV UTF-8 and upload it again.") from None


def _csv_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _kind(kind: str) -> str:
    if kind not in ImportKind.values:
        raise Http404("No such list.")
    return kind


@never_cache
def records_home(request):
    manager = setting_manager(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        name, content = form.cleaned_data["file"]
        try:
            job = import_job_create(setting=manager.setting, by=request.user, kind=form.cleaned_data["kind"],
                                    content=content, file_name=name)
        except RuleViolation as exc:
            form.add_error(None, exc.message)
        else:
            transaction.on_commit(lambda: run_import_job.delay(job_id=job.pk))
            return redirect("import-job", job_id=job.pk)
    jobs = ImportJob.objects.filter(setting_id=manager.setting_id).defer("content")[:JOBS_SHOWN]
    return render(request, "processes/records.html", {
        "form": form, "jobs": jobs, "kinds": [(k, label, COLUMNS[k]) for k, label in ImportKind.choices],
    }, status=400 if form.errors else 200)


@never_cache
def import_job(request, job_id: int):
    manager = setting_manager(request.user)
    job = ImportJob.objects.filter(pk=job_id, setting_id=manager.setting_id).defer("content").first()
    if job is None:
        raise Http404("No such import.")
    return render(request, "processes/import_job.html", {"job": job})


def import_template(request, kind: str):
    setting_manager(request.user)
    return _csv_response(template_csv(_kind(kind)), f"keyflow-{kind}-template.csv")


def records_export_csv(request, kind: str):
    manager = setting_manager(request.user)
    return _csv_response(records_export(setting=manager.setting, by=request.user, kind=_kind(kind)),
                         f"keyflow-{kind}.csv")
