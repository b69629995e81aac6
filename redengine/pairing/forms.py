"""Forms of pairing; every one is written by the app's services (``services.py``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from redengine.core.forms import ScopedModelForm
from redengine.people.forms import DATE
from redengine.people.models import Person

from .models import PairActivity, SchoolPair
from .rules import RURAL_SIDE, URBAN_SIDE


class PairForm(ScopedModelForm):
    """A pair: the urban side among the urban schools the writer reaches, the rural side among the rural ones."""

    class Meta:
        model = SchoolPair
        fields = ["urban", "rural", "agreed_on", "ended_on", "goals"]
        widgets = {"agreed_on": DATE, "ended_on": DATE, "goals": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        urban, rural = self.fields["urban"], self.fields["rural"]
        urban.queryset = urban.queryset.filter(urban_rural__in=URBAN_SIDE).order_by("code")
        rural.queryset = rural.queryset.filter(urban_rural__in=RURAL_SIDE).order_by("code")
        urban.label_from_instance = rural.label_from_instance = lambda s: f"{s.name}（{s.code}）"
        urban.help_text = _("An urban school (城乡类别 城区).")
        rural.help_text = _(
            "A rural school (城乡类别 镇区 or 乡村). A pair across two districts is recorded by the city."
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ActivityForm(ScopedModelForm):
    """An activity of a pair: the teachers among the people of the two schools the writer sees (and those
    already recorded on it), with photos, PDF or Word files."""

    files = MultipleFileField(
        label=_("Photos or files"),
        required=False,
        help_text=_("Photos (JPEG, PNG), PDF or Word (.docx) files, at most 10 MB each."),
    )

    class Meta:
        model = PairActivity
        fields = ["pair", "kind", "date", "title", "summary", "teachers", "students"]
        widgets = {"date": DATE, "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, pair=None, **kwargs):
        super().__init__(*args, **kwargs)
        pair = pair or (self.instance.pair if self.instance.pair_id else None)
        self.fields["pair"].widget = forms.HiddenInput()
        teachers = self.fields["teachers"]
        if pair is not None:
            self.fields["pair"].initial = pair.pk
            chosen = teachers.queryset.filter(school_id__in=[pair.urban_id, pair.rural_id])
            if self.instance.pk:  # the teachers recorded stay choosable, whoever changes the activity
                chosen = chosen | Person.objects.filter(pk__in=self.instance.teachers.values("pk"))
            teachers.queryset = chosen.select_related("school").order_by("school__code", "name_key", "pk")
        teachers.label_from_instance = lambda p: f"{p.name}（{p.school.name}）"
        teachers.widget.attrs["size"] = 8
        teachers.help_text = _("Teachers of either school of the pair.")
