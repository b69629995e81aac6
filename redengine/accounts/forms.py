from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from redengine.core.forms import StyledFormMixin
from redengine.core.pickers import PickerInput
from redengine.orgs.models import PartyOrganization

from .models import RoleAssignment, User
from .roles import ROLE_CHOICES


class LoginForm(StyledFormMixin, forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        # Phones capitalise the first letter; user names are case-insensitive, but say so to the keyboard too.
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autofocus": True,
                "autocapitalize": "none",
                "autocorrect": "off",
                "spellcheck": "false",
            }
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OtpForm(StyledFormMixin, forms.Form):
    code = forms.RegexField(
        label=_("Six-digit code"),
        regex=r"^\s*\d{6}\s*$",
        max_length=8,
        error_messages={"invalid": _("Enter the six digits your authenticator app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordChangeForm(StyledFormMixin, auth_forms.PasswordChangeForm):
    pass


class AccountForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "full_name", "email"]


class AccountNameField(forms.ModelChoiceField):
    """An account typed by its user name, whatever its case (user names are case-insensitive)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        account = self.queryset.model.objects.named(str(value).strip())
        if account is None or not self.queryset.filter(pk=account.pk).exists():
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return account


class RoleGrantForm(StyledFormMixin, forms.Form):
    user = AccountNameField(
        User.objects.filter(is_active=True),
        label=_("Account (user name)"),
        to_field_name="username",
        widget=forms.TextInput,
        error_messages={"invalid_choice": _("No active account has this user name.")},
    )
    role = forms.ChoiceField(choices=ROLE_CHOICES, label=_("Role"))
    organization = forms.ModelChoiceField(
        PartyOrganization.objects.all(),
        required=False,
        label=_("Scope (type an organization's name or code)"),
        to_field_name="code",
        widget=PickerInput("accounts:scope_suggest"),
        help_text=_("Leave empty for the technical administrators."),
        error_messages={"invalid_choice": _("No organization has this code.")},
    )
    can_reveal = forms.BooleanField(
        required=False, label=RoleAssignment._meta.get_field("can_reveal").verbose_name
    )
