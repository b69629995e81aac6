"""Password rules (MLPS level 3): at least 8 characters from at least three character classes."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least three of: upper-case letters, lower-case letters, digits, symbols."""

    required = 3

    def validate(self, password, user=None):
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(c in string.punctuation or not c.isalnum() for c in password),
        ]
        if sum(classes) < self.required:
            raise ValidationError(
                _(
                    "The password must contain at least three of: upper-case letters, lower-case letters, "
                    "digits and symbols."
                ),
                code="password_character_classes",
            )

    def get_help_text(self):
        return _("Use at least three of: upper-case letters, lower-case letters, digits and symbols.")
