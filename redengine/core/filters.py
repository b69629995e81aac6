"""Filters shared by every app's filter sets."""

import django_filters
from django.utils.translation import gettext_lazy as _


class YesNoFilter(django_filters.ChoiceFilter):
    """A yes/no filter whose empty choice means "all" (rather than "unknown")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", _("Yes")), ("false", _("No"))])
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ("true", "false"):
            return qs.filter(**{self.field_name: value == "true"})
        return qs
