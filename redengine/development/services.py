"""Writes on development cases: open a case, record a step (checked by the engine), close a case.

Each is atomic and audited; a refused step writes nothing. Recording the approval of an admission (S17)
gives the person a membership from the branch meeting's date (PROB.START), and the approval of a
conversion (S24) makes it full from the end of the probation, so that the political status is derived
from the development record and never typed twice.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.dataio.services import seal
from redengine.people.models import Membership, Person
from redengine.people.services import set_membership, sync_political_status

from . import engine, rules
from .models import (
    CaseContact,
    CaseStatus,
    CloseReason,
    ContactRole,
    DevelopmentCase,
    DevelopmentEvent,
    EventAttachment,
)


class StepRefusedError(ValidationError):
    """A step the rules refuse: the violations, each with its rule's text and source."""

    def __init__(self, violations):
        self.violations = violations
        super().__init__([v.message() for v in violations])


class DatabaseLookups(engine.Lookups):
    """The engine's questions answered from the database (each in one query)."""

    def __init__(self, case=None):
        self.case = case

    def full_members(self, person_ids, day):
        return set(
            Membership.objects.full_members_at(day)
            .filter(person_id__in=person_ids)
            .values_list("person_id", flat=True)
        )

    def contact_load(self, person_ids):
        contacts = CaseContact.objects.filter(
            person_id__in=person_ids,
            role=ContactRole.CONTACT,
            ended_on__isnull=True,
            case__status=CaseStatus.OPEN,
        )
        if self.case is not None and self.case.pk:
            contacts = contacts.exclude(case=self.case)
        load = {}
        for person_id in contacts.values_list("person_id", flat=True):
            load[person_id] = load.get(person_id, 0) + 1
        return load

    def serial_used(self, serial):
        used = DevelopmentEvent.objects.filter(form_serial=serial)
        if self.case is not None and self.case.pk:
            used = used.exclude(case=self.case)
        return used.exists()


def done_of(case):
    return [engine.Done(e.step, e.date, e.data) for e in case.events.all()]


def clean_data(code, data):
    """Only the fields the step carries; people as lists of ids; empty values dropped."""
    allowed = set(rules.STEP[code].fields)
    cleaned = {}
    for key, value in (data or {}).items():
        if key not in allowed or value in (None, "", []):
            continue
        kind = rules.FIELDS[key][1]
        if kind == "people":
            cleaned[key] = sorted({int(pk) for pk in value})
        elif kind == "int":
            cleaned[key] = int(value)
        elif kind == "date":
            cleaned[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        else:
            cleaned[key] = str(value).strip()
    return cleaned


@transaction.atomic
def open_case(person, organization, *, by=None):
    """A new open case for ``person`` in ``organization`` (its first step, S01, is recorded next)."""
    case = DevelopmentCase(person=person, organization=organization)
    case.validate_constraints()
    case.save()
    return case


def may_override(user, case):
    return (
        user is not None and DevelopmentCase.objects.visible_to(user, "override").filter(pk=case.pk).exists()
    )


@transaction.atomic
def record_step(
    case, code, date, *, data=None, remarks="", by=None, exception_reason="", today=None, lookups=None
):
    """Record step ``code`` of ``case`` on ``date``, or refuse it (``StepRefusedError``) with nothing written.

    A violation that the rules let an administrator lift is recorded anyway when ``by`` may override
    and gives ``exception_reason``; the event keeps the reason and the rules lifted, and the case is
    flagged.
    """
    if code not in rules.STEP:
        raise ValidationError(_("Unknown step %(code)s.") % {"code": code})
    if case.status != CaseStatus.OPEN:
        raise ValidationError(_("The case is closed: no step can be recorded."))
    case = DevelopmentCase.objects.select_for_update().get(pk=case.pk)
    today = today or timezone.localdate()
    data = clean_data(code, data)
    person = case.person
    violations = engine.check(
        done_of(case),
        code,
        date,
        data,
        person_id=person.pk,
        birth_date=person.birth_date,
        today=today,
        lookups=lookups or DatabaseLookups(case),
    )
    exception_reason = (exception_reason or "").strip()
    if violations:
        liftable = all(v.overridable for v in violations)
        if not (liftable and exception_reason and may_override(by, case)):
            raise StepRefusedError(violations)
    event = DevelopmentEvent(
        case=case,
        step=code,
        date=date,
        data=data,
        remarks=remarks,
        form_serial=data.get("form_serial") or None,
        exception_reason=exception_reason if violations else "",
        exception_rules=",".join(sorted({v.rule for v in violations})),
        incomplete=bool(engine.missing_data(code, data)),
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    event.save()
    for key, role in (("contacts", ContactRole.CONTACT), ("introducers", ContactRole.INTRODUCER)):
        if key in data:
            people = Person.objects.filter(pk__in=data[key])
            for contact in people:
                CaseContact.objects.create(case=case, person=contact, role=role, assigned_on=date)
    refresh(case)
    return event


def refresh(case):
    """Derive the case's stage, dates and next step from its events, and the person's membership."""
    done = done_of(case)
    plan = engine.plan(done)
    apply_plan(case, plan, done)
    events = list(case.events.all())
    case.incomplete = any(e.incomplete for e in events)
    case.has_exception = any(e.exception_reason for e in events)
    case.save()
    sync_membership(case, plan)
    return case


def apply_plan(case, plan, done):
    """Copy the engine's plan onto the case's derived fields (no save)."""
    application = engine.first(done, "S01")
    case.opened_on = application.date if application else None
    case.stage = plan.stage
    case.last_step = plan.last.step if plan.last else ""
    case.last_step_on = plan.last.date if plan.last else None
    upcoming, deadline = plan.next, plan.deadline
    case.next_step = upcoming.step if upcoming else ""
    case.next_earliest = upcoming.earliest if upcoming else None
    case.next_rule = upcoming.earliest_rule if upcoming else ""
    case.due_step = deadline.step if deadline else ""
    case.next_due = deadline.due if deadline else None
    case.due_rule = deadline.due_rule if deadline else ""
    case.admitted_on = plan.admitted_on
    case.probation_ends_on = plan.probation_ends_on
    case.converted_on = plan.converted_on
    if plan.finished:
        case.status, case.closed_on = CaseStatus.COMPLETED, plan.last.date
    elif plan.cancelled:
        case.status, case.close_reason, case.closed_on = (
            CaseStatus.CLOSED,
            CloseReason.PROBATION_CANCELLED,
            plan.last.date,
        )
    return case


def sync_membership(case, plan):
    """Admission approved → a membership from the meeting's date; conversion approved → full from the end
    of the probation; probation cancelled → the membership ends."""
    person = case.person
    current = person.memberships.current().first()
    if plan.cancelled:
        if current is not None and current.admitted_on == plan_admission(case):
            current.ended_on = case.closed_on
            current.save()
            sync_political_status(person)
        return
    if plan.admitted_on is None:
        return
    full_on = plan.converted_on
    if (
        current is None
        or current.admitted_on != plan.admitted_on
        or current.full_on != full_on
        or current.organization_id != case.organization_id
    ):
        set_membership(person, organization=case.organization, admitted_on=plan.admitted_on, full_on=full_on)


def plan_admission(case):
    admission = case.events.filter(step="S15").first()
    return admission.date if admission else None


@transaction.atomic
def close_case(case, reason, closed_on, *, by=None):
    if case.status != CaseStatus.OPEN:
        raise ValidationError(_("The case is already closed."))
    if closed_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if case.last_step_on and closed_on < case.last_step_on:
        raise ValidationError(_("A case is closed on or after its last step."))
    case.status, case.close_reason, case.closed_on = CaseStatus.CLOSED, reason, closed_on
    case.next_step, case.next_earliest, case.next_rule = "", None, ""
    case.due_step, case.next_due, case.due_rule = "", None, ""
    case.save()
    return case


@transaction.atomic
def delete_last_step(case, *, by=None):
    """Undo the case's latest step (a correction); the case is derived again."""
    event = case.events.order_by("-date", "-id").first()
    if event is None:
        raise ValidationError(_("The case has no step to remove."))
    CaseContact.objects.filter(case=case, assigned_on=event.date, role__in=_roles_of(event.step)).delete()
    event.delete()
    if case.status != CaseStatus.OPEN and case.close_reason != CloseReason.WITHDRAWN:
        case.status, case.close_reason, case.closed_on = CaseStatus.OPEN, "", None
    refresh(case)
    return case


def _roles_of(code):
    return {"S05": [ContactRole.CONTACT], "S09": [ContactRole.INTRODUCER]}.get(code, [])


ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_KINDS = {  # extension -> (content type, how the file starts)
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
}


def check_attachment(name, content):
    """The content type of an acceptable scan, or a ValidationError naming what is wrong (in Chinese)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ATTACHMENT_KINDS:
        raise ValidationError(
            _("%(name)s: only PDF, JPEG, PNG and Word (.docx) files are accepted.") % {"name": name}
        )
    if not content:
        raise ValidationError(_("%(name)s is empty.") % {"name": name})
    if len(content) > ATTACHMENT_MAX_BYTES:
        raise ValidationError(_("%(name)s is larger than 10 MB.") % {"name": name})
    content_type, signatures = ATTACHMENT_KINDS[extension]
    if not content.startswith(signatures):
        raise ValidationError(
            _("%(name)s is not really a .%(extension)s file.") % {"name": name, "extension": extension}
        )
    return content_type


def attach(event, name, content, *, by=None):
    """Keep a scan of a step, sealed (SM4) in the database."""
    content_type = check_attachment(name, content)
    return EventAttachment.objects.create(
        event=event,
        file_name=name[-200:],
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=seal(content),
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
    )
