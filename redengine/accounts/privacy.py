"""Accounts in the personal-information inventory (core/privacy.py; PIPL art. 51): the account holder's
name and e-mail. An account is not a record of a person, so its other fields are not listed."""

from django.utils.translation import gettext_lazy as _

from redengine.core.privacy import GENERAL, Entry, declare

WHILE_THE_ACCOUNT_EXISTS = _("while the account exists")

declare(
    "accounts.User",
    {
        "full_name": Entry(_("identify the account holder"), GENERAL, WHILE_THE_ACCOUNT_EXISTS),
        "email": Entry(_("contact the account holder"), GENERAL, WHILE_THE_ACCOUNT_EXISTS),
    },
    every_field=False,
)
