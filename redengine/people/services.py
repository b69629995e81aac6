"""Writes on people, memberships and titles. Atomic, keyword-only actor, audited in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Honor, Membership, Person

MEMBER_STATUSES = {"member", "probationary"}


def check_against_id(parsed, *, sex=None, birth_date=None):
    """Sex and birth date, when given, must agree with the ID number (GB 11643: digits 7–14 and 17)."""
    errors = {}
    if sex and sex != parsed.sex:
        errors["sex"] = _("The sex disagrees with the ID number.")
    if birth_date and birth_date != parsed.birth_date:
        errors["birth_date"] = _("The birth date disagrees with the ID number (%(date)s).") % {
            "date": parsed.birth_date.isoformat()
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_person(person, *, id_number=None, mobile=None, sex=None, birth_date=None, by=None):
    """Create or change a person; a new ID number is validated, checked for uniqueness and encrypted."""
    if id_number:
        parsed = person.set_id_number(id_number)
        check_against_id(parsed, sex=sex, birth_date=birth_date)
        person.sex, person.birth_date = parsed.sex, parsed.birth_date
        duplicate = Person.objects.filter(id_number_index=person.id_number_index).exclude(pk=person.pk)
        if duplicate.exists():
            raise ValidationError({"id_number": _("Another person already has this ID number.")})
    elif not person.id_number_index:
        raise ValidationError({"id_number": _("The ID number is required.")})
    if mobile is not None:
        person.set_mobile(mobile)
    has_membership = person.pk is not None and person.memberships.current().exists()
    if person.is_member and not has_membership:
        raise ValidationError(
            {"political_status": _("Party membership is recorded with its dates, not typed.")}
        )
    person.full_clean(exclude=["id_number_cipher", "id_number_index", "id_number_masked"])
    person.save()
    return person


def sync_political_status(person):
    """Party members' political status follows their current membership (not typed twice)."""
    current = person.memberships.current().first()
    if current is not None:
        status = "member" if current.full_on and current.full_on <= timezone.localdate() else "probationary"
    elif person.political_status in MEMBER_STATUSES:
        status = "masses"
    else:
        return person
    if person.political_status != status:
        person.political_status = status
        person.save(update_fields=["political_status"])
    return person


@transaction.atomic
def set_membership(person, *, organization, admitted_on, full_on=None, by=None):
    """Record (or correct) the current party membership and derive the political status from it."""
    membership = person.memberships.current().first() or Membership(person=person)
    membership.organization = organization
    membership.admitted_on = admitted_on
    membership.full_on = full_on
    membership.full_clean()
    membership.save()
    sync_political_status(person)
    return membership


@transaction.atomic
def end_membership(person, *, ended_on, by=None):
    membership = person.memberships.current().first()
    if membership is None:
        raise ValidationError(_("This person has no current membership."))
    membership.ended_on = ended_on
    membership.full_clean()
    membership.save()
    sync_political_status(person)
    return membership


@transaction.atomic
def award_title(person, *, title, awarded_on, level="", lapsed_on=None, by=None):
    honor = Honor(person=person, title=title, level=level, awarded_on=awarded_on, lapsed_on=lapsed_on)
    honor.full_clean()
    honor.save()
    return honor
