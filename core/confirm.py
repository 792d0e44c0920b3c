"""Destructive one-click actions ask first, without JavaScript: the button opens a form with a
required tick box (`templates/includes/confirm_action.html`), and the view refuses a POST that
lacks it (`confirmed`), changing nothing."""

from django import forms
from django.contrib import messages

from .validators import PortalForm


class ConfirmForm(PortalForm):
    confirm = forms.BooleanField(label="I'm sure")


def confirmed(request, action: str) -> bool:
    """True when the POST carries the tick box; otherwise say so (`action`: "revoke the token")
    and return False, so the view redirects back having changed nothing."""
    if ConfirmForm(request.POST).is_valid():
        return True
    messages.error(request, f"Tick the box to confirm that you want to {action}. Nothing changed.")
    return False
