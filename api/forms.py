from django import forms


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What will use this token, e.g. “billing sync” or “transfer script”.",
    )
