"""Forms of the transfer pages; every one is written by the transfer services (``services/transfers.py``).

The person is picked from the people of the user's scope who have something to transfer (a current
membership or an open development case), or, for a letter received from outside, those without a current
membership (``transfer_person_suggest``). The receiving organization of a transfer within the system may lie
anywhere in the tree (REL.WHO: relationships are transferred nationwide): it is typed by its code, the
suggestions listing those of the user's scope only.
"""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.forms import StyledFormMixin
from redengine.core.pickers import PickerInput
from redengine.core.scoping import prefix_q, user_prefixes
from redengine.development.models import DevelopmentCase
from redengine.orgs.models import PartyOrganization, School
from redengine.people.forms import DATE
from redengine.people.models import Membership, Person

from .models import Transfer
from .rules import ACCEPT, CANCEL, REJECT, REQUEST, SEND, TransferReason, TransferStatus

FOR_IN = "in"  # the picker's people without a current membership (a letter received from outside)


def transferable_people(user, letter_in=False):
    """The people of ``user``'s scope a transfer may name: those with a current membership or an open
    development case in the scope (their organization's, even when their school has changed since), or,
    for a letter in, the people of the scope's schools without a current membership."""
    visible = Person.objects.visible_to(user)
    current = Membership.objects.current()
    if letter_in:
        return visible.exclude(pk__in=current.values("person_id"))
    members = current.visible_to(user).values("person_id")
    cases = DevelopmentCase.objects.open().visible_to(user).values("person_id")
    return Person.objects.filter(Q(pk__in=members) | Q(pk__in=cases))


def organizations_for(user, move):
    """The organizations where ``user`` may make ``move`` (their subtrees for the transfers' role action)."""
    prefixes = user_prefixes(user, Transfer, move)
    if not prefixes:
        return PartyOrganization.objects.none()
    if "" in prefixes:
        return PartyOrganization.objects.all()
    return PartyOrganization.objects.filter(prefix_q("path", prefixes))


def start_candidates(user):
    """The people a transfer within the system or a letter out may name: those of ``transferable_people``,
    and the members of the scope's schools (a request for a member whose relationship is elsewhere)."""
    members = Person.objects.visible_to(user).filter(political_status__in=["member", "probationary"])
    return transferable_people(user) | members


def person_label(person):
    return f"{person.name}（{person.id_number_masked}，{person.school.name}）"


class PersonField(forms.CharField):
    """A person of the candidates given, by the number the picker fills in."""

    def __init__(self, *args, letter_in=False, **kwargs):
        params = {"for": FOR_IN} if letter_in else {}
        kwargs.setdefault("widget", PickerInput("membership:transfer_person_suggest", params))
        kwargs.setdefault(
            "help_text", _("Type a name and choose the person from the suggestions (people of your scope).")
        )
        super().__init__(*args, **kwargs)
        self.candidates = Person.objects.none()

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        found = (
            self.candidates.filter(pk=int(value)).select_related("school").first()
            if value.isdigit()
            else None
        )
        if found is None:
            raise forms.ValidationError(_("No such person among those you may transfer."))
        return found


class CodeField(forms.CharField):
    """A record by its code, anywhere in the tree (``model``: an organization or a school)."""

    def __init__(self, *args, model, **kwargs):
        self.model = model
        source = "orgs:organization_suggest" if model is PartyOrganization else "orgs:school_suggest"
        kwargs.setdefault("widget", PickerInput(source))
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        found = self.model.objects.filter(code=value).first()
        if found is None:
            if self.model is PartyOrganization:
                raise forms.ValidationError(_("No organization has this code."))
            raise forms.ValidationError(_("No school has this code."))
        return found


class StartForm(StyledFormMixin, forms.Form):
    """A transfer within the system: the person, the receiving organization (and the new school), the day."""

    person = PersonField(label=_("Person"))
    to_organization = CodeField(
        label=_("Receiving organization"),
        model=PartyOrganization,
        help_text=_(
            "Its code: the branch or committee of the school the person moves to. The suggestions list the "
            "organizations of your scope; another one is typed by its code."
        ),
    )
    to_school = CodeField(
        label=_("New school"),
        model=School,
        required=False,
        help_text=_(
            "The school code, if the person moves school (rotation, a new post): it becomes the person's school on acceptance."
        ),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=TransferReason.choices, initial=TransferReason.JOB)
    started_on = forms.DateField(label=_("Date"), widget=DATE)
    side = forms.ChoiceField(
        label=_("Started by"),
        choices=[
            ("", _("Worked out from your scope")),
            ("sending", _("The sending side")),
            ("receiving", _("The receiving side")),
        ],
        required=False,
        help_text=_(
            "Sent by the sending side, it waits for the receiving side's acceptance; requested by the receiving side, for the sending side's release."
        ),
    )
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].candidates = start_candidates(user)
        self.fields["started_on"].initial = timezone.localdate()


class LetterOutForm(StyledFormMixin, forms.Form):
    """An introduction letter out of the system (组织关系介绍信)."""

    person = PersonField(label=_("Member"))
    outside_organization = forms.CharField(
        label=_("Receiving organization (outside the system)"),
        max_length=100,
        help_text=_("Its full name, as on the letter: 中共……委员会."),
    )
    letter_number = forms.CharField(
        label=_("Letter number"),
        max_length=40,
        required=False,
        help_text=_("Left empty, the next number of the year is given (转字〔年〕NNNN号)."),
    )
    issued_on = forms.DateField(label=_("Date issued"), widget=DATE)
    reason = forms.ChoiceField(label=_("Reason"), choices=TransferReason.choices, initial=TransferReason.JOB)
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].candidates = start_candidates(user)
        self.fields["issued_on"].initial = timezone.localdate()


class LetterInForm(StyledFormMixin, forms.Form):
    """An introduction letter received from outside the system: the membership it gives."""

    person = PersonField(label=_("Person"), letter_in=True)
    to_organization = forms.ModelChoiceField(
        label=_("Receiving organization"), queryset=PartyOrganization.objects.none()
    )
    outside_organization = forms.CharField(
        label=_("Sending organization (outside the system)"), max_length=100
    )
    letter_number = forms.CharField(label=_("Letter number"), max_length=40)
    received_on = forms.DateField(label=_("Date received"), widget=DATE)
    admitted_on = forms.DateField(label=_("Date admitted"), widget=DATE)
    full_on = forms.DateField(
        label=_("Date of full membership"),
        widget=DATE,
        required=False,
        help_text=_("Empty for a probationary member."),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=TransferReason.choices, initial=TransferReason.JOB)
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].candidates = transferable_people(user, letter_in=True)
        self.fields["to_organization"].queryset = organizations_for(user, ACCEPT).order_by("path")
        self.fields["received_on"].initial = timezone.localdate()


class MoveForm(StyledFormMixin, forms.Form):
    """A move of a transfer: its date, the reason (of a refusal, a cancellation), and the organization that
    takes the member (an acceptance: a branch under the receiving one) or receives them (a proposal started)."""

    date = forms.DateField(label=_("Date"), widget=DATE)
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=PartyOrganization.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, move, transfer, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        naming = move in (SEND, REQUEST) and transfer.status == TransferStatus.PROPOSED
        if move == ACCEPT and transfer.to_organization_id:
            under = organizations_for(user, ACCEPT).filter(path__under=transfer.to_organization.path)
            self.fields["organization"].queryset = under.order_by("path")
            self.fields["organization"].label = _("Organization that takes the member")
            self.fields["organization"].help_text = _(
                "Left empty: the receiving organization itself. Name the branch under it that takes the member."
            )
        elif naming:
            self.fields["organization"] = CodeField(
                label=_("Receiving organization"),
                model=PartyOrganization,
                required=transfer.to_organization_id is None,
                help_text=_("Its code; left empty, the one proposed."),
            )
        else:
            del self.fields["organization"]
        if move in (REJECT, CANCEL):  # required: the service says why (REL.WHO), in its own words
            self.fields["note"].label = _("Reason")


class ReissueForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=_("Date issued"), widget=DATE)
    note = forms.CharField(
        label=_("Reason"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
