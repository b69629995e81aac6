from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.accounts.models import RoleAssignment, User
from redengine.core.forms import ScopedModelForm, StyledFormMixin
from redengine.core.validators import normalise_mobile, parse_id_number

from .choices import CommitteePostKind, DispatchRole
from .models import CommitteePost, Dispatch, GuidanceRecord, Honor, Membership, Person


class PersonForm(ScopedModelForm):
    """A person's record. The ID number and mobile are typed in full here and stored encrypted."""

    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=30,
        required=False,
        help_text=_("18 characters; sex and birth date are read from it."),
    )
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)

    class Meta:
        model = Person
        fields = [
            "name",
            "id_number",
            "ethnic_group",
            "education",
            "mobile",
            "school",
            "post",
            "front_line",
            "political_status",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = self.fields["school"].queryset.order_by("code")
        if self.instance.pk:
            self.fields["id_number"].help_text = _("Leave empty to keep %(masked)s.") % {
                "masked": self.instance.id_number_masked
            }
            self.fields["mobile"].help_text = _(
                "Leave empty to keep %(masked)s; type a new number to change it."
            ) % {"masked": self.instance.mobile_masked or "—"}
        else:
            self.fields["id_number"].required = True
        if not self.instance.is_member:
            # Party members' status follows their membership record; it is never typed.
            choices = [
                c for c in self.fields["political_status"].choices if c[0] not in {"member", "probationary"}
            ]
            self.fields["political_status"].choices = choices
        else:
            self.fields["political_status"].disabled = True

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number")
        if value:
            parse_id_number(value)  # raises a located ValidationError
        return value

    def clean_mobile(self):
        value = self.cleaned_data.get("mobile")
        if value:
            try:
                return normalise_mobile(value)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc
        return value


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonRecordForm(ScopedModelForm):
    """A record that belongs to one person: the person comes from the person's page (``?person=<id>``)."""

    def __init__(self, *args, **kwargs):
        initial_person = kwargs.pop("person", None)
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        field.widget = forms.HiddenInput()
        if initial_person is not None:
            field.initial = initial_person.pk


class HonorForm(PersonRecordForm):
    class Meta:
        model = Honor
        fields = ["person", "title", "level", "awarded_on", "lapsed_on"]
        widgets = {"awarded_on": DATE, "lapsed_on": DATE}


class DispatchForm(PersonRecordForm):
    class Meta:
        model = Dispatch
        fields = ["person", "role", "school", "dispatching_body", "public", "start_on", "end_on", "account"]
        widgets = {"start_on": DATE, "end_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = (
            self.fields["school"].queryset.filter(ownership="private").order_by("code")
        )
        # The accounts that hold the instructor role where the user can see it (the service checks the same).
        holders = RoleAssignment.objects.visible_to(self.user).filter(role=DispatchRole.INSTRUCTOR)
        self.fields["account"].queryset = User.objects.filter(
            pk__in=holders.values("user_id"), is_active=True
        ).order_by("username")


class GuidanceRecordForm(ScopedModelForm):
    """A guidance record: the dispatch is one of the instructor's own (the service checks that it lasts on
    the day of the guidance, and refuses naming the school if not)."""

    class Meta:
        model = GuidanceRecord
        fields = ["dispatch", "held_on", "kind", "content", "issues", "follow_up"]
        widgets = {
            "held_on": DATE,
            "content": forms.Textarea(attrs={"rows": 4}),
            "issues": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["dispatch"]
        field.queryset = (
            field.queryset.filter(account=self.user, role=DispatchRole.INSTRUCTOR)
            .select_related("school")
            .order_by("-start_on", "pk")
        )
        field.label_from_instance = dispatch_label
        if self.instance.pk is None and not self.initial.get("held_on"):
            self.initial["held_on"] = timezone.localdate()
        if self.instance.pk is None and field.queryset.count() == 1:
            field.initial = field.queryset.first().pk


def dispatch_label(dispatch):
    """A dispatch as the instructor's form lists it: the school and the days it lasts."""
    values = {"school": dispatch.school.name, "start": dispatch.start_on.isoformat()}
    if dispatch.end_on is None:
        return _("%(school)s (from %(start)s)") % values
    return _("%(school)s (%(start)s to %(end)s)") % {**values, "end": dispatch.end_on.isoformat()}


class MembershipForm(PersonRecordForm):
    class Meta:
        model = Membership
        fields = [
            "person",
            "organization",
            "admitted_on",
            "full_on",
            "ended_on",
            "observation_from",
            "observation_until",
        ]
        widgets = {
            "admitted_on": DATE,
            "full_on": DATE,
            "ended_on": DATE,
            "observation_from": DATE,
            "observation_until": DATE,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = self.fields["organization"].queryset.order_by("path")


class CommitteePostForm(StyledFormMixin, forms.Form):
    """Record a post of an organization's committee: the person is picked among the full members of the
    organization's subtree that the user may name in a post (never typed by ID number)."""

    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Person.objects.none(),
        help_text=_("A full member of this organization or of an organization under it."),
    )
    post = forms.ChoiceField(label=_("Committee post"), choices=CommitteePostKind.choices)
    start_on = forms.DateField(label=_("Date taken up"), widget=DATE)

    def __init__(self, *args, organization, user, **kwargs):
        super().__init__(*args, **kwargs)
        members = Membership.objects.current().in_subtree(organization.path).values("person_id")
        self.fields["person"].queryset = (
            Person.objects.visible_to(user, "change", (CommitteePost, "add"))
            .filter(pk__in=members, political_status="member")
            .order_by("name_key", "pk")
        )
        self.fields["start_on"].initial = timezone.localdate()


class CommitteePostEndForm(StyledFormMixin, forms.Form):
    end_on = forms.DateField(
        label=_("Date left"),
        widget=DATE,
        help_text=_("The first day the person no longer holds the post."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_on"].initial = timezone.localdate()
