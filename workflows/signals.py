"""Workflow events other apps react to (notifications), sent inside the transaction that caused them."""

from django.dispatch import Signal

task_rerouted = Signal()  # task, previous, by
