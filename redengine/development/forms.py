"""Forms of the development pages. The step form is built from the rules table: the fields a step carries
come from ``rules.FIELDS``, so a new step or field needs no new form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.forms import ScopedModelForm, StyledFormMixin
from redengine.orgs.models import PartyOrganization
from redengine.people.models import Membership, Person

from . import engine, rules
from .models import CloseReason, CultivationRecord, DevelopmentCase, DevelopmentPlan
from .services import done_of


class CaseForm(ScopedModelForm):
    """Open a case: the person and the organization that develops them (a branch, usually)."""

    scope_actions = {"organization": "add"}

    class Meta:
        model = DevelopmentCase
        fields = ["person", "organization"]

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = self.fields["person"].queryset.exclude(political_status__in=["member", "probationary"])
        self.fields["person"].queryset = people.select_related("school").order_by("school__code", "name_key")
        self.fields["organization"].queryset = self.fields["organization"].queryset.order_by("path")
        if person is not None:
            self.initial["person"] = person.pk
            covering = person.school.organizations.order_by("-path").first()
            if covering is not None:
                self.initial["organization"] = covering.pk


def step_choices(case):
    """The steps that may come next for ``case`` (the rules' plan), the most pressing first."""
    plan = engine.plan(done_of(case))
    codes = [item.step for item in plan.due if item.ready]
    choices = [(code, f"{code} {rules.STEP[code].name}") for code in codes]
    if "S23" not in codes and any(item.step == "S23" for item in plan.due):
        # 细则 art. 32: the probation may be cancelled at any time of it, without the member's application.
        choices.append(("S23", _("S23 Cancel the probation (branch general meeting resolution)")))
    return choices


class StepForm(StyledFormMixin, forms.Form):
    """Record one step of a case: its date, the data it carries, remarks and (for an administrator) a reason
    to record it against a rule."""

    step = forms.ChoiceField(label=_("Step"))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    remarks = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    attachment = forms.FileField(
        label=_("Scanned document"),
        required=False,
        help_text=_("Optional: PDF, JPEG, PNG or Word (.docx), at most 10 MB; kept encrypted."),
    )
    exception_reason = forms.CharField(
        label=_("Reason for recording against a rule"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only if the rules refuse the step and you may make an exception: the reason is kept and flagged."
        ),
    )

    def __init__(self, *args, case, user, code, may_override, **kwargs):
        super().__init__(*args, **kwargs)
        self.case, self.user, self.code = case, user, code
        self.fields["step"].choices = step_choices(case) or [(code, code)]
        self.fields["step"].initial = code
        # Choosing a step shows its fields at once (the page's form is fetched again, keeping what was typed).
        self.fields["step"].widget.attrs.update(
            {
                "hx-trigger": "change",
                "hx-vals": '{"refresh": "1"}',
                "hx-target": "#step-form",
                "hx-select": "#step-form",
                "hx-swap": "outerHTML",
                "hx-encoding": "multipart/form-data",
            }
        )
        self.fields["date"].initial = timezone.localdate()
        if not may_override:
            del self.fields["exception_reason"]
        step = rules.STEP.get(code)
        # "Should attend" is derived from the branch's roll on the meeting's date, not typed.
        self.data_fields = [k for k in (step.fields if step else ()) if rules.FIELDS[k][1] != "derived"]
        self.roll_today = None
        if step is not None and "should_attend" in step.fields:
            from .lookups import voting_members

            today = timezone.localdate()
            self.roll_today = voting_members([(case.organization, today)])[(case.organization.pk, today)]
        for key in self.data_fields:
            self.fields[key] = self.data_field(key)
        # The step, then its date and data, then the remarks and the reason.
        order = ["step", "date", *self.data_fields, "remarks", "attachment", "exception_reason"]
        self.order_fields(order)

    def data_field(self, key):
        label, kind = rules.FIELDS[key]
        if kind == "people" and key == "excused":
            return forms.ModelMultipleChoiceField(
                label=label,
                queryset=self.full_members(),
                required=False,
                widget=forms.SelectMultiple(attrs={"size": 6}),
                help_text=_(
                    "Voting members who could not attend for a reason the election rules allow; they are not "
                    "counted among those who should attend."
                ),
            )
        if kind == "people":
            return forms.ModelMultipleChoiceField(
                label=label,
                queryset=self.full_members(),
                required=False,
                widget=forms.SelectMultiple(attrs={"size": 6}),
                help_text=_("Full party members; hold Ctrl to choose two."),
            )
        if kind == "int":
            return forms.IntegerField(label=label, min_value=0, required=False)
        if kind == "date":
            return forms.DateField(
                label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
            )
        if kind == "choice":
            return forms.ChoiceField(label=label, choices=[("", "—"), *rules.CHOICES[key]], required=False)
        return forms.CharField(label=label, required=False, max_length=200)

    def full_members(self):
        """Full members near the case (its organization's parent subtree), that the user may see."""
        org = self.case.organization
        parent = PartyOrganization.objects.get_parent(org) if org.depth > 1 else org
        members = Membership.objects.full_members_at(timezone.localdate()).in_subtree(parent.path).current()
        return (
            Person.objects.visible_to(self.user)
            .filter(pk__in=members.values("person_id"))
            .exclude(pk=self.case.person_id)
            .order_by("name_key")
        )

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        from .services import ATTACHMENT_MAX_BYTES, check_attachment

        content = upload.read(ATTACHMENT_MAX_BYTES + 1)
        check_attachment(upload.name, content)
        return (upload.name, content)

    def step_data(self):
        data = {}
        for key in self.data_fields:
            value = self.cleaned_data.get(key)
            if rules.FIELDS[key][1] == "people":
                value = [person.pk for person in value or []]
            data[key] = value
        return data


class CloseForm(StyledFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[(c, label) for c, label in CloseReason.choices if c != CloseReason.PROBATION_CANCELLED],
    )
    closed_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))


class CultivationForm(ScopedModelForm):
    class Meta:
        model = CultivationRecord
        fields = ["kind", "date", "contact", "summary"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.instance.case = case
            contacts = case.contacts.values("person_id")
            self.fields["contact"].queryset = Person.objects.visible_to(self.user).filter(pk__in=contacts)


class PlanForm(ScopedModelForm):
    scope_actions = {"organization": "add"}

    class Meta:
        model = DevelopmentPlan
        fields = ["organization", "year", "quota", "front_line_quota", "young_backbone_quota", "remarks"]
        widgets = {"remarks": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = self.fields["organization"].queryset.order_by("path")
        if not self.instance.pk:
            self.initial.setdefault("year", timezone.localdate().year)
