"""Forms of the showcase; every one is written by the app's services (``services.py``)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from redengine.core.forms import ScopedModelForm, StyledFormMixin
from redengine.people.forms import DATE

from .models import Lesson, LessonFile, RoleModel, Story


class StoryForm(ScopedModelForm):
    """A story; its uses (the events it was told at) one a line: ``2024-05-04 红色故事会``."""

    uses = forms.CharField(
        label=_("Used at"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One event a line: the date, a space, the event (e.g. 2024-05-04 红色故事朗诵会)."),
    )

    class Meta:
        model = Story
        fields = ["school", "title", "text", "members", "tags"]
        widgets = {"text": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["uses"] = "\n".join(
                f"{u.held_on:%Y-%m-%d} {u.event}" for u in self.instance.uses.all()
            )

    def clean_uses(self):
        found = []
        for number, line in enumerate((self.cleaned_data.get("uses") or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            day, _space, event = line.partition(" ")
            try:
                held_on = datetime.date.fromisoformat(day)
            except ValueError:
                raise ValidationError(
                    _("Line %(line)s: begin with the date of the event (YYYY-MM-DD), then the event.")
                    % {"line": number}
                ) from None
            if not event.strip():
                raise ValidationError(_("Line %(line)s: name the event after its date.") % {"line": number})
            found.append((event.strip(), held_on))
        return found


class LessonForm(ScopedModelForm):
    class Meta:
        model = Lesson
        fields = ["school", "title", "teacher", "subject", "grade", "theme", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}


class RoleModelForm(ScopedModelForm):
    class Meta:
        model = RoleModel
        fields = [
            "school",
            "name",
            "grade",
            "deed",
            "honour",
            "named_on",
            "consent_by",
            "consent_relation",
            "consent_on",
        ]
        widgets = {"deed": forms.Textarea(attrs={"rows": 5}), "named_on": DATE, "consent_on": DATE}
        help_texts = {
            "name": _("A minor: no ID number, no mobile, nothing beyond what the honour needs."),
            "consent_by": _("Only needed for a photo: the parent or guardian who agreed to it being shown."),
        }


class MoveForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, needs_reason=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_reason:
            del self.fields["reason"]


class UploadForm(StyledFormMixin, forms.Form):
    """A file of an item: a lesson's plan or video, a role model's photo."""

    role = forms.ChoiceField(label=_("file"), choices=LessonFile.Role.choices)
    file = forms.FileField(label=_("file"))

    def __init__(self, *args, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        if roles is None:
            del self.fields["role"]
