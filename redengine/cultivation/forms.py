"""Forms of dual cultivation; every one is written by the app's services (``services.py``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from redengine.core.forms import ScopedModelForm
from redengine.people.forms import DATE
from redengine.people.models import Person

from .models import Contest, ContestEntry, Engagement, Mentorship, MentorshipReview


class MentorshipForm(ScopedModelForm):
    """A mentorship at a school: the mentor and the apprentice are chosen among its staff."""

    class Meta:
        model = Mentorship
        fields = [
            "kind",
            "school",
            "mentor",
            "apprentice",
            "start_on",
            "planned_end_on",
            "ended_on",
            "goals",
            "summary",
        ]
        widgets = {
            "start_on": DATE,
            "planned_end_on": DATE,
            "ended_on": DATE,
            "goals": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        school = school or (self.instance.school if self.instance.school_id else None)
        self.fields["school"].widget = forms.HiddenInput()
        if school is not None:
            self.fields["school"].initial = school.pk
            staff = self.fields["mentor"].queryset.filter(school=school).order_by("name_key", "pk")
            recorded = [pk for pk in (self.instance.mentor_id, self.instance.apprentice_id) if pk]
            if recorded:  # a person who has moved school since stays choosable on a recorded pair
                staff = self.fields["mentor"].queryset.filter(pk__in=recorded) | staff
            self.fields["mentor"].queryset = staff
            self.fields["apprentice"].queryset = staff
        self.fields["mentor"].help_text = _("Normally a backbone or excellent teacher of the school.")
        self.fields["apprentice"].help_text = _(
            "Normally a young party member (teaching) or a backbone teacher (political)."
        )


class ReviewForm(ScopedModelForm):
    class Meta:
        model = MentorshipReview
        fields = ["mentorship", "held_on", "progress"]
        widgets = {"held_on": DATE, "progress": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, mentorship=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentorship"].widget = forms.HiddenInput()
        if mentorship is not None:
            self.fields["mentorship"].initial = mentorship.pk


class ContestForm(ScopedModelForm):
    class Meta:
        model = Contest
        fields = ["name", "kind", "level", "held_on", "organization"]
        widgets = {"held_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = self.fields["organization"].queryset.order_by("path")


class EntryForm(ScopedModelForm):
    """An entry of a contest: the person among the people of the organization that holds it."""

    class Meta:
        model = ContestEntry
        fields = ["contest", "person", "prize", "awarded_on", "work"]
        widgets = {"awarded_on": DATE}

    def __init__(self, *args, contest=None, **kwargs):
        super().__init__(*args, **kwargs)
        contest = contest or (self.instance.contest if self.instance.contest_id else None)
        self.fields["contest"].widget = forms.HiddenInput()
        if contest is not None:
            self.fields["contest"].initial = contest.pk
            people = self.fields["person"].queryset & Person.objects.in_subtree(contest.organization.path)
            self.fields["person"].queryset = people.select_related("school").order_by(
                "school__code", "name_key", "pk"
            )
        self.fields["person"].label_from_instance = lambda p: f"{p.name}（{p.school.name}）"
        self.fields["awarded_on"].help_text = _("Left empty: the day of the contest.")


class EngagementForm(ScopedModelForm):
    class Meta:
        model = Engagement
        fields = ["person", "kind", "date", "topic", "venue"]
        widgets = {"date": DATE}

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].widget = forms.HiddenInput()
        if person is not None:
            self.fields["person"].initial = person.pk
