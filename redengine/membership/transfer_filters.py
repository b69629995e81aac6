"""The filter set of transfers: the list page, its export and the API share it."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.filters import ContainsFilter, YearFilter, YesNoFilter
from redengine.orgs.filters import SubtreeFilter

from . import rules
from .models import Transfer
from .rules import TransferKind, TransferStatus
from .services import transfers as services

PENDING = "pending"  # any of the states waiting for a side (proposed, requested, sent)
STATUSES = [(PENDING, _("Waiting, on either side")), *TransferStatus.choices]
WAITING = [("mine", _("Waiting for my side"))]
LETTERS = [
    ("expired", _("Past its validity, the return slip not back")),
    ("expiring", _("Past its validity or ending within 15 days")),
]


class TransferFilterSet(django_filters.FilterSet):
    """Transfers by person, kind, state, whether they wait for the user's side, whether they are past the
    time limit, letters past (or near) their validity, the year started, an organization's subtree (either
    side)."""

    q = ContainsFilter(field_name="person__name", label=_("Name"))
    kind = django_filters.ChoiceFilter(choices=TransferKind.choices, label=_("Kind of transfer"))
    status = django_filters.ChoiceFilter(choices=STATUSES, method="by_status", label=_("Status"))
    waiting = django_filters.ChoiceFilter(choices=WAITING, method="for_my_side", label=_("Waiting"))
    overdue = YesNoFilter(method="past_limit", label=_("Not decided within the time limit"))
    letter = django_filters.ChoiceFilter(choices=LETTERS, method="by_validity", label=_("Letter"))
    expired = YesNoFilter(method="past_validity", label=_("Letter past its validity"))
    year = YearFilter(method="started_in", label=_("Year started"))
    within = SubtreeFilter()

    class Meta:
        model = Transfer
        fields = ["q", "kind", "status", "waiting", "overdue", "letter", "expired", "year", "within"]

    def by_status(self, queryset, name, value):
        if value == PENDING:
            return queryset.filter(status__in=sorted(rules.PENDING))
        return queryset.filter(status=value) if value else queryset

    def past_validity(self, queryset, name, value):
        if value not in ("true", "false"):
            return queryset
        expired = services.expired_q(timezone.localdate())
        return queryset.filter(expired) if value == "true" else queryset.exclude(expired)

    def for_my_side(self, queryset, name, value):
        if value != "mine":
            return queryset
        return services.waiting_for(queryset, self.request.user)

    def past_limit(self, queryset, name, value):
        if value not in ("true", "false"):
            return queryset
        late = services.overdue(queryset, timezone.localdate())
        return late if value == "true" else queryset.exclude(pk__in=late.values("pk"))

    def by_validity(self, queryset, name, value):
        today = timezone.localdate()
        if value == "expired":
            return services.letters_expired(queryset, today)
        if value == "expiring":
            return services.letters_expiring(queryset, today)
        return queryset

    def started_in(self, queryset, name, value):
        if value is None:
            return queryset
        year = int(value)
        return queryset.filter(started_on__gte=f"{year:04d}-01-01", started_on__lte=f"{year:04d}-12-31")
