"""The Celery app. Tasks live in each app's tasks.py; a task loads its data and calls a service."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyflow.settings")

app = Celery("keyflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
