"""Finding a person by a whole ID number or mobile: a reveal, so only for those who may reveal the people
found, logged as one (``AccessEvent.Kind.REVEAL``, detail ``search``), limited per account and hour
(``PEOPLE_IDENTIFIER_SEARCHES_PER_HOUR``), and sent in a POST body, never in an address (which the
server, the proxies and the browser history would keep). The list page's search box (``?q=``) searches
by name only; a whole ID number or mobile typed there is refused (``no_identifier_in_query``).
"""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core.audit import log_access
from redengine.core.crypto import get_provider
from redengine.core.masking import looks_like_identifier
from redengine.core.models import AccessEvent
from redengine.core.validators import normalise_mobile, parse_id_number, validate_mobile

from .models import Person

SEARCH = "search"  # the detail of the access-log row of an identifier search


class IdentifierSearchForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("Full ID number"), max_length=40, required=False)
    mobile = forms.CharField(label=gettext_lazy("Full mobile"), max_length=30, required=False)

    def clean_id_number(self):
        value = self.cleaned_data["id_number"].strip()
        return parse_id_number(value).number if value else ""

    def clean_mobile(self):
        value = self.cleaned_data["mobile"].strip()
        if not value:
            return ""
        number = normalise_mobile(value)
        validate_mobile(number)
        return number

    def clean(self):
        cleaned = super().clean()
        given = [name for name in ("id_number", "mobile") if cleaned.get(name) or self.data.get(name)]
        if len(given) != 1:
            raise ValidationError(_("Type either a full ID number or a full mobile (one of them)."))
        return cleaned


class SearchThrottledError(Exception):
    """The account made its identifier searches of the hour."""

    def __init__(self):
        super().__init__(
            _("You have made %(count)d searches by ID number or mobile in the last hour; try again later.")
            % {"count": settings.PEOPLE_IDENTIFIER_SEARCHES_PER_HOUR}
        )


def searches_left(user):
    """How many identifier searches ``user`` may still make in the current hour (the logged ones count)."""
    since = timezone.now() - datetime.timedelta(hours=1)
    made = AccessEvent.objects.filter(
        user_id=user.pk, kind=AccessEvent.Kind.REVEAL, detail=SEARCH, time__gte=since
    ).count()
    return settings.PEOPLE_IDENTIFIER_SEARCHES_PER_HOUR - made


def identifier_search(request, cleaned):
    """The people whose ID number or mobile is ``cleaned``'s (an ``IdentifierSearchForm``'s cleaned data),
    among those the user may reveal; logged as a reveal. ``SearchThrottledError`` past the hour's limit
    (logged as such)."""
    user = request.user
    if searches_left(user) <= 0:
        log_access(AccessEvent.Kind.THROTTLED, request=request, obj="people.person", detail=SEARCH)
        raise SearchThrottledError
    provider = get_provider()
    people = Person.objects.visible_to(user, "reveal")
    if cleaned.get("id_number"):
        people = people.filter(id_number_index=provider.blind_index(cleaned["id_number"]))
    else:
        people = people.filter(mobile_index=provider.blind_index(cleaned["mobile"]))
    found = list(people.select_related("school").order_by("school__code", "name_key", "pk")[:50])
    log_access(AccessEvent.Kind.REVEAL, request=request, obj="people.person", rows=len(found), detail=SEARCH)
    return found


def no_identifier_in_query(user):
    """A validator of the search box (``?q=``): no whole ID number or mobile, whoever asks (they would travel
    in the address); the message says where such a search is made, or that it needs the reveal permission."""

    def validate(value):
        if not looks_like_identifier(value):
            return
        if user is not None and user.is_authenticated and user.can(Person, "reveal"):
            raise ValidationError(
                _(
                    "A full ID number or mobile is not searched from this box (it would be kept in the "
                    "address): use “Find by ID number or mobile”."
                )
            )
        raise ValidationError(_("Searching by ID number or mobile needs the permission to see full details."))

    return validate
