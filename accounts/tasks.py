"""Celery tasks of the accounts app. Enqueued only after commit."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from notifications.email_queue import RETRY
from notifications.messages import render_text


@shared_task(bind=True, **RETRY)
def password_reset_email(self, *, user_id: int) -> bool:
    """The e-mail with the link; made here, at sending, so no usable link is ever stored."""
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    path = reverse("password-reset-confirm", args=[urlsafe_base64_encode(force_bytes(user.pk)),
                                                   default_token_generator.make_token(user)])
    context = {"user": user, "link": settings.KEYFLOW["BASE_URL"].rstrip("/") + path,
               "hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
    send_mail("Choose a new Keyflow password", render_text("registration/password_reset_email.txt", context),
              None, [user.email])
    return True
