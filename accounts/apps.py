from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Log-in and sessions"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
