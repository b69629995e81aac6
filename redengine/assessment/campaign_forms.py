"""Forms of the campaigns and evaluations; every one is written by the app's services (``services.py``):
the campaign (its scope picked by code), the scores of one side of an evaluation with the evidence files
chosen per item, a move with its date and reason (and the level awarded at approval), the start of the
publicity and the publication of a campaign."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.forms import StyledFormMixin
from redengine.core.pickers import PickerInput
from redengine.orgs.models import PartyOrganization
from redengine.people.forms import DATE

from .models import Campaign, Scheme
from .rules import M_APPROVE, NEEDS_REASON, Side, star_name

POINTS = {"max_digits": 6, "decimal_places": 1, "required": False}
POINTS_INPUT = {"inputmode": "decimal", "step": "0.1", "min": "0", "class": "form-control form-control-lg"}


FIXED = ("scheme", "year", "scope", "starts_on")  # services.CampaignService.FIXED


class CampaignForm(StyledFormMixin, forms.Form):
    """A campaign: its scheme, year, scope (an organization's code) and the ends of its phases."""

    name = forms.CharField(label=_("Name"), max_length=100)
    scheme = forms.ModelChoiceField(label=_("Scheme"), queryset=Scheme.objects.none())
    year = forms.IntegerField(label=_("Year rated"), min_value=2000, max_value=2100)
    scope = forms.CharField(
        label=_("Scope (type a name or code)"),
        max_length=40,
        widget=PickerInput("orgs:organization_suggest"),
        help_text=_("The branches of this organization's subtree are rated."),
    )
    starts_on = forms.DateField(
        label=_("Start"),
        widget=DATE,
        help_text=_("The branches that exist on this day are rated."),
    )
    self_until = forms.DateField(label=_("Self-assessment until"), widget=DATE)
    district_until = forms.DateField(label=_("District review until"), widget=DATE)
    city_until = forms.DateField(label=_("City review until"), widget=DATE)

    def __init__(self, *args, user, instance=None, **kwargs):
        self.user, self.instance = user, instance
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.visible_to(user).order_by("-effective_year", "name")
        if instance is not None:
            for name in ("name", "year", "starts_on", "self_until", "district_until", "city_until"):
                self.fields[name].initial = getattr(instance, name)
            self.fields["scheme"].initial = instance.scheme_id
            self.fields["scope"].initial = instance.scope.code
            for name in FIXED:  # taken when the campaign opened: shown, not changed
                self.fields[name].disabled = True
                self.fields[name].required = False
        else:
            today = timezone.localdate()
            self.fields["year"].initial = today.year - 1 if today.month < 7 else today.year
            self.fields["starts_on"].initial = today
            self.fields["self_until"].initial = today + datetime.timedelta(days=30)
            self.fields["district_until"].initial = today + datetime.timedelta(days=45)
            self.fields["city_until"].initial = today + datetime.timedelta(days=60)
            root = PartyOrganization.objects.visible_to(user).order_by("depth", "path").first()
            self.fields["scope"].initial = root.code if root else ""
            self.fields["scheme"].initial = (
                self.fields["scheme"].queryset.values_list("pk", flat=True).first()
            )

    def clean_scope(self):
        if self.instance is not None:
            return self.instance.scope
        code = self.cleaned_data["scope"].strip()
        org = PartyOrganization.objects.visible_to(self.user).filter(code=code).first()
        if org is None:
            raise forms.ValidationError(_("No organization of this code in your scope."))
        return org

    def values(self):
        return {name: self.cleaned_data[name] for name in self.fields if not self.fields[name].disabled}


def field_names(indicator_id):
    return {
        "points": f"points_{indicator_id}",
        "comment": f"comment_{indicator_id}",
        "override_reason": f"override_{indicator_id}",
        "veto_failed": f"veto_{indicator_id}",
        "file": f"file_{indicator_id}",
    }


class ScoresForm(StyledFormMixin, forms.Form):
    """The scores of one side (``side``) of an evaluation: per item its points and comment; for the branch an
    evidence file per item and its report; for a reviewer an override reason beside an automatic figure,
    whether a veto item failed, and the bonus with its reason. ``rows``: the evaluation's score rows (with
    their indicators), in the scheme's order. The limits (maximum points, what the branch may not type) are
    the service's to check: its messages come back on the fields."""

    def __init__(self, *args, side, rows, evaluation, **kwargs):
        super().__init__(*args, **kwargs)
        self.side, self.rows, self.evaluation = side, rows, evaluation
        prefix = {Side.SELF: "self", Side.DISTRICT: "district", Side.CITY: "city"}[side]
        self.names = {}  # indicator id -> {what: field name}
        for score in rows:
            item = score.indicator
            names = field_names(item.pk)
            self.names[item.pk] = names
            if item.veto:
                if side != Side.SELF:
                    self.fields[names["veto_failed"]] = forms.BooleanField(
                        label=_("Failed"), required=False, initial=score.veto_failed
                    )
                    self.fields[names["comment"]] = self.comment_field(score, prefix)
                continue
            if not (side == Side.SELF and item.is_automatic):
                label = _("Points (at most %(max)s)") % {"max": item.max_points}
                if item.is_automatic:
                    label = _("Points instead of the figure's (at most %(max)s; blank: the figure's)") % {
                        "max": item.max_points
                    }
                self.fields[names["points"]] = forms.DecimalField(
                    label=label,
                    initial=getattr(score, f"{prefix}_points"),
                    widget=forms.NumberInput(attrs={**POINTS_INPUT, "max": str(item.max_points)}),
                    **POINTS,
                )
            if side != Side.SELF and item.is_automatic:
                self.fields[names["override_reason"]] = forms.CharField(
                    label=_("Reason of the override"),
                    required=False,
                    max_length=1000,
                    initial=score.override_reason,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            self.fields[names["comment"]] = self.comment_field(score, prefix)
            if side == Side.SELF:
                self.fields[names["file"]] = forms.FileField(
                    label=_("Add an evidence file"),
                    required=False,
                    widget=forms.ClearableFileInput(
                        attrs={
                            "accept": ".pdf,.docx,.jpg,.jpeg,.png",
                            "class": "form-control form-control-lg",
                        }
                    ),
                )
        if side == Side.SELF:
            self.fields["summary"] = forms.CharField(
                label=_("Self-assessment report"),
                required=False,
                max_length=2000,
                initial=evaluation.summary,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("At most 2,000 characters."),
            )
        else:
            self.fields["bonus_points"] = forms.DecimalField(
                label=_("Bonus points (at most %(max)s)") % {"max": evaluation.campaign.scheme.bonus_max},
                initial=evaluation.bonus_points,
                widget=forms.NumberInput(
                    attrs={**POINTS_INPUT, "max": str(evaluation.campaign.scheme.bonus_max)}
                ),
                **POINTS,
            )
            self.fields["bonus_reason"] = forms.CharField(
                label=_("Reason of the bonus"),
                required=False,
                max_length=500,
                initial=evaluation.bonus_reason,
            )

    @staticmethod
    def comment_field(score, prefix):
        return forms.CharField(
            label=_("Comment"),
            required=False,
            max_length=1000,
            initial=getattr(score, f"{prefix}_comment"),
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def field(self, indicator_id, what):
        """The bound field of an item (None when this side has none)."""
        name = self.names.get(indicator_id, {}).get(what)
        return self[name] if name in self.fields else None

    def entries(self, entry_class):
        """The score entries of the form's data, one per item this side scores."""
        data = self.cleaned_data
        found = []
        for score in self.rows:
            names = self.names[score.indicator_id]
            values = {}
            if names["points"] in self.fields:
                values["points"] = data.get(names["points"])
            if names["comment"] in self.fields:
                values["comment"] = data.get(names["comment"], "")
            if names["override_reason"] in self.fields:
                values["override_reason"] = data.get(names["override_reason"], "")
            if names["veto_failed"] in self.fields:
                values["veto_failed"] = bool(data.get(names["veto_failed"]))
            if values:
                found.append(entry_class(self.evaluation, score.indicator, self.side, **values))
        return found

    def uploads(self):
        """(indicator, uploaded file) of each item given a file."""
        return [
            (score.indicator, self.cleaned_data[self.names[score.indicator_id]["file"]])
            for score in self.rows
            if self.cleaned_data.get(self.names[score.indicator_id]["file"])
        ]

    def evaluation_values(self):
        if self.side == Side.SELF:
            return {"summary": self.cleaned_data.get("summary", "")}
        bonus = self.cleaned_data.get("bonus_points")
        return {
            "bonus_points": bonus if bonus is not None else 0,
            "bonus_reason": self.cleaned_data["bonus_reason"],
        }

    def entry_field(self, indicator_id, service_field):
        """The form's field for a problem the service names on an entry (``points``, ``comment``, …)."""
        names = self.names.get(indicator_id, {})
        name = names.get(service_field) or names.get({"self_points": "points"}.get(service_field, ""), "")
        return name if name in self.fields else None


class MoveForm(StyledFormMixin, forms.Form):
    """A move of an evaluation: its date and note; the reason of a return or a sending back; at approval the
    level awarded (at most the level by points)."""

    date = forms.DateField(label=_("Date"), widget=DATE)
    level = forms.TypedChoiceField(label=_("Level awarded"), coerce=int, required=False)
    note = forms.CharField(
        label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, move, evaluation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        if move == M_APPROVE and evaluation.computed_level:
            scheme = evaluation.campaign.scheme
            self.fields["level"].choices = [
                (n, scheme.level_name(n) or star_name(n)) for n in range(evaluation.computed_level, 0, -1)
            ]
            self.fields["level"].initial = evaluation.computed_level
            self.fields["level"].help_text = _(
                "At most the level its points give; a lower one if the quota is full."
            )
        else:
            del self.fields["level"]
        if move in NEEDS_REASON:
            self.fields["note"].label = _("Reason")
            self.fields["note"].required = True


class DateForm(StyledFormMixin, forms.Form):
    """The day a campaign's publicity starts, or the day it is published."""

    date = forms.DateField(label=_("Date"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


def campaign_choices(user):
    return Campaign.objects.visible_to(user).select_related("scope").order_by("-year", "-pk")
