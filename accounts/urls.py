from django.contrib.auth import views as auth_views
from django.urls import path

from . import tokens, views

urlpatterns = [
    path("api-tokens/", tokens.api_tokens, name="api-tokens"),
    path("api-tokens/revoke/", tokens.api_token_revoke_view, name="api-token-revoke"),
    path("two-factor/", views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/setup/", views.two_factor_setup, name="two-factor-setup"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirm.as_view(), name="password-reset-confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="registration/password_reset_complete.html"), name="password-reset-complete"),
]
