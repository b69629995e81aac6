"""The two watch lists of dual cultivation, for a user's scope on a day.

* **Backbone teacher → member** (``backbone_watch``): people holding 骨干教师 or 卓越教师 on the day who are not
  party members then — whom to approach — each with the title, the stage of an open development case and
  its training contact, and whether a political mentorship runs for them.
* **Member → backbone teacher** (``member_watch``): members and probationary members under
  ``cult.young_age`` on the day, each with their mentorships as apprentice, contest entries and prizes,
  speaking and titles, the latest of these, and whether they had none within ``cult.quiet_years`` years.

Both are querysets of ``Person`` annotated by subqueries (no query per row), filtered by the user's scope
(``visible_to``) and the list's filters, in the order of the people list (school, then pinyin).
"""

import datetime

from django.db.models import Count, DateField, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from redengine.development.models import CaseContact, CaseStatus, ContactRole, DevelopmentCase
from redengine.orgs.models import school_scope_q
from redengine.people.models import Honor, Membership, Person, add_years

from . import rules
from .ages import aged_at_least, aged_at_most, young
from .metrics import BACKBONE_TITLES
from .models import ContestEntry, Engagement, Mentorship
from .rules import MentorshipKind, Prize

NEVER = datetime.date(1900, 1, 1)  # "none yet", below every date
NEVER_DAY = Value(NEVER, output_field=DateField())


def count_of(queryset, field):
    """A subquery counting ``queryset``'s rows for the outer person (named by ``field``)."""
    rows = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0)


def latest_of(queryset, field, date):
    rows = queryset.filter(**{field: OuterRef("pk")}).order_by(f"-{date}").values(date)[:1]
    return Subquery(rows, output_field=DateField())


def filtered(people, *, school=None, front_line=None, age_min=None, age_max=None, day):
    """The list's filters: a school, front-line teachers or not, an age range (whole years on the day)."""
    if school is not None:
        people = people.filter(school=school)
    if front_line is not None:
        people = people.filter(front_line=front_line)
    if age_min is not None:
        people = people.filter(aged_at_least(day, age_min))
    if age_max is not None:
        people = people.filter(aged_at_most(day, age_max))
    return people


def within(org, school="school_id"):
    """Rows whose school lies in ``org``'s subtree today (the overview's counts for an organization)."""
    return school_scope_q([org.path], school=school)


def quiet_since(day):
    return add_years(day, -rules.param("cult.quiet_years", on=day))


def backbone_watch(user, day, *, action="view", **filters):
    held = Honor.objects.held_at(day).filter(title__in=BACKBONE_TITLES)
    member = Membership.objects.members_at(day).filter(person=OuterRef("pk"))
    open_case = DevelopmentCase.objects.filter(person=OuterRef("pk"), status=CaseStatus.OPEN).order_by("-pk")
    contact = CaseContact.objects.filter(
        case__person=OuterRef("pk"),
        case__status=CaseStatus.OPEN,
        role=ContactRole.CONTACT,
        ended_on__isnull=True,
    ).order_by("-assigned_on", "-pk")
    political = (
        Mentorship.objects.visible_to(user, action)
        .running_at(day)
        .filter(apprentice=OuterRef("pk"), kind=MentorshipKind.POLITICAL)
    )
    people = (
        Person.objects.visible_to(user, action)
        .filter(Exists(held.filter(person=OuterRef("pk"))))
        .exclude(Exists(member))
        .annotate(
            title=Subquery(held.filter(person=OuterRef("pk")).order_by("-awarded_on").values("title")[:1]),
            title_level=Subquery(
                held.filter(person=OuterRef("pk")).order_by("-awarded_on").values("level")[:1]
            ),
            case_pk=Subquery(open_case.values("pk")[:1]),
            case_stage=Subquery(open_case.values("stage")[:1]),
            contact_name=Subquery(contact.values("person__name")[:1]),
            mentored=Exists(political),
        )
    )
    return filtered(people, day=day, **filters)


def member_watch(user, day, *, quiet=None, action="view", **filters):
    """``quiet``: True, only those with no cultivation within ``cult.quiet_years`` years; False, the others."""
    since = quiet_since(day)
    member = Membership.objects.members_at(day).filter(person=OuterRef("pk"))
    # A mentorship lies at its school, which may not be the apprentice's now: only those the user may see.
    mentorships = Mentorship.objects.visible_to(user, action)
    entries = ContestEntry.objects.all()
    prized = ContestEntry.objects.exclude(prize=Prize.NONE)
    speaking = Engagement.objects.filter(date__lte=day)
    titles = Honor.objects.filter(awarded_on__lte=day)
    recent = (
        Exists(mentorships.active_within(since, day).filter(apprentice=OuterRef("pk")))
        | Exists(ContestEntry.objects.filter(person=OuterRef("pk"), contest__held_on__range=(since, day)))
        | Exists(Engagement.objects.filter(person=OuterRef("pk"), date__range=(since, day)))
        | Exists(Honor.objects.filter(person=OuterRef("pk"), awarded_on__range=(since, day)))
    )
    people = (
        Person.objects.visible_to(user, action)
        .filter(Exists(member))
        .filter(young(day))
        .annotate(
            mentorship_count=count_of(mentorships, "apprentice"),
            entry_count=count_of(entries, "person"),
            prize_count=count_of(prized, "person"),
            speaking_count=count_of(speaking, "person"),
            title_count=count_of(titles, "person"),
            last_mentorship=latest_of(mentorships, "apprentice", "start_on"),
            last_entry=latest_of(entries, "person", "contest__held_on"),
            last_speaking=latest_of(speaking, "person", "date"),
            last_title=latest_of(titles, "person", "awarded_on"),
            active=recent,
        )
        .annotate(
            last_cultivation=Greatest(
                Coalesce("last_mentorship", NEVER_DAY),
                Coalesce("last_entry", NEVER_DAY),
                Coalesce("last_speaking", NEVER_DAY),
                Coalesce("last_title", NEVER_DAY),
            )
        )
    )
    if quiet is True:
        people = people.filter(~recent)
    elif quiet is False:
        people = people.filter(recent)
    return filtered(people, day=day, **filters)
