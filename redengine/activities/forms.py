"""The quick-entry form of a meeting: its facts, then the attendance ticked on the member list (the list
itself is the organization's roster on the day, rendered by the view, never typed)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from redengine.core.forms import ScopedModelForm

from .models import Meeting

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class MeetingForm(ScopedModelForm):
    attachments = MultipleFileField(
        label=_("Photos or PDF files"),
        required=False,
        help_text=_("The sign-in sheet, photos, the signed minutes: JPEG, PNG or PDF, at most 10 MB each."),
    )

    class Meta:
        model = Meeting
        fields = [
            "meeting_type",
            "date",
            "topic",
            "place",
            "host",
            "lecturer",
            "lecturer_name",
            "minutes",
            "resolutions",
        ]
        widgets = {
            "date": DATE,
            "minutes": forms.Textarea(attrs={"rows": 4}),
            "resolutions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, organization, people=(), types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        pks = [p.pk for p in people]
        for name in ("host", "lecturer"):
            # The roster's people, as far as the writer may name them (the service checks the same).
            self.fields[name].queryset = (
                self.fields[name].queryset.filter(pk__in=pks).order_by("name_key", "pk")
            )
        if types:
            self.fields["meeting_type"].choices = [
                (value, label) for value, label in self.fields["meeting_type"].choices if value in types
            ]
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["topic"].widget.attrs["placeholder"] = _(
            "e.g. studying the spirit of the plenary session"
        )
