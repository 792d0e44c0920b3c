from django import forms
from django.contrib.auth import password_validation

from core.models import Role
from core.validators import PortalForm

ROLE_HELP = {
    Role.GLOBAL_ADMIN: "Everything, including user management, enrollment and agreements; "
    "has every Admin agent permission too.",
    Role.ADMIN_AGENT: "Customers, GDAP, relationship extension and transfers.",
    Role.SALES_AGENT: "Customers' MCA attestation and sales tasks.",
    Role.BILLING_ADMIN: "Billing and invoices.",
}


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Roles")
        kwargs.setdefault("choices", Role.choices)
        kwargs.setdefault(
            "error_messages",
            {"required": "Choose at least one role: a user without a role can't work here."},
        )
        super().__init__(**kwargs)


class InviteUserForm(PortalForm):
    full_name = forms.CharField(label="Full name", max_length=200)
    email = forms.EmailField(
        label="Email address",
        help_text="The user signs in with it; it must not belong to another user.",
    )
    roles = RolesField()


class UserRolesForm(PortalForm):
    roles = RolesField()


class SetPasswordForm(PortalForm):
    """The invitee's first sign-in: a new password, twice, checked by Django's validators."""

    new_password1 = forms.CharField(
        label="New password",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; not a common password, not only digits, and not "
        "like your name or email address.",
    )
    new_password2 = forms.CharField(
        label="Confirm the new password",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        first, second = data.get("new_password1"), data.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", "The two passwords don't match.")
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as error:
                self.add_error("new_password1", error)
        return data
