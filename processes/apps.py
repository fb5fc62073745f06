from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "processes"
    verbose_name = "Children and key persons"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
