"""API tokens for integrations (django-rest-knox): each person makes their own on the tokens page, behind the
full log-in (with its second factor), sees a token once, and revokes it there. Only a digest is stored; every
token made, revoked or expired by revocation is audited. A token acts as its user, under the same rules."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from knox.models import AuthToken
from knox.settings import knox_settings

from processes.errors import RuleViolation
from processes.services import audit_record

TOKENS_PER_USER = 5


@transaction.atomic
def api_token_create(*, user) -> tuple[AuthToken, str]:
    """A new token for ``user`` (its text returned once, never stored)."""
    live = AuthToken.objects.filter(user=user).exclude(expiry__lt=timezone.now())
    if live.count() >= TOKENS_PER_USER:
        raise RuleViolation(f"You have {TOKENS_PER_USER} API tokens: revoke one you no longer use first.")
    token, text = AuthToken.objects.create(user=user)
    audit_record(actor=user, action="create", record_type="knox.AuthToken", record_id=token.token_key,
                 summary=f"Made an API token ({token.token_key}…), valid until {token.expiry:%d %b %Y}")
    return token, text


@transaction.atomic
def api_token_revoke(*, user, token_key: str) -> int:
    """Revoke the user's own token(s) starting ``token_key``; returns how many (0: none of theirs)."""
    revoked, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if revoked:
        audit_record(actor=user, action="delete", record_type="knox.AuthToken", record_id=token_key,
                     summary=f"Revoked the API token {token_key}…")
    return revoked


class RevokeForm(forms.Form):
    token_key = forms.CharField(max_length=25)


@never_cache
def api_tokens(request):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    made = None
    if request.method == "POST":
        try:
            token, made = api_token_create(user=request.user)
        except RuleViolation as exc:
            messages.error(request, exc.message)
            return redirect("api-tokens")
    tokens = AuthToken.objects.filter(user=request.user).order_by("-created")
    return render(request, "accounts/api_tokens.html", {
        "tokens": tokens, "made": made, "days": knox_settings.TOKEN_TTL.days, "now": timezone.now(),
    })


@require_POST
def api_token_revoke_view(request):
    if not request.user.is_authenticated:
        return redirect("login")
    form = RevokeForm(request.POST)
    if form.is_valid() and api_token_revoke(user=request.user, token_key=form.cleaned_data["token_key"]):
        messages.success(request, "The token is revoked: anything using it is refused from now on.")
    else:
        messages.error(request, "No such token of yours.")
    return redirect("api-tokens")
