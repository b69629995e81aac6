"""Writes on people, their party memberships, titles, dispatches and committee posts. Batch-first: the
forms, the API, the 人员 and 称号 sheets, member development and the demo call these with a batch (a single
record is a batch of one); each checks, then writes in bulk with its audit records, inside the write path.

One rule, here only: a party member's political status follows the current membership (``status_for``),
whoever writes it.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.accounts.models import RoleAssignment
from redengine.core.audit import bulk_create_audited, bulk_update_audited, remember
from redengine.core.crypto import get_provider
from redengine.core.masking import mask_id_number, mask_mobile
from redengine.core.services import ADD, CHANGE, PICK, Item, ModelService, related_of
from redengine.core.validators import IdNumber, normalise_mobile, parse_id_number, validate_mobile
from redengine.core.writes import Problem, RefusedError, chunked, lies_with, writing
from redengine.orgs.models import School
from redengine.orgs.services import school_places

from .choices import CommitteePostKind, DispatchRole
from .models import CommitteePost, Dispatch, GuidanceRecord, Honor, Membership, Person, add_years

MEMBER_STATUSES = {"member", "probationary"}
SCHOOL_FIELD = Person._meta.get_field("school")
PERSON_FIELD = Membership._meta.get_field("person")


def status_for(membership, today, previous):
    """The political status a person's current membership gives: a full member once the date of full
    membership has come, a probationary member before; without one, a former member is 群众 again."""
    if membership is not None and membership.ended_on is None:
        return "member" if membership.full_on and membership.full_on <= today else "probationary"
    return "masses" if previous in MEMBER_STATUSES else previous


def check_against_id(parsed, *, sex=None, birth_date=None):
    """{field: message}: sex and birth date, when given, must agree with the ID number (GB 11643: digits 7–14
    and 17)."""
    errors = {}
    if sex and sex != parsed.sex:
        errors["sex"] = _("The sex disagrees with the ID number.")
    if birth_date and birth_date != parsed.birth_date:
        errors["birth_date"] = _("The birth date disagrees with the ID number (%(date)s).") % {
            "date": parsed.birth_date.isoformat()
        }
    return errors


def not_registrable():
    """A person created (or an ID number typed) with a number already registered: the refusal tells that the
    number is taken, necessarily, but nothing of the record (whether it lies in the writer's scope, its name,
    school or dates): the same words whoever and wherever it is."""
    return _(
        "This ID number cannot be registered in your unit. If the person is transferring from another "
        "unit, ask a higher-level administrator to arrange the transfer."
    )


def masked_id():
    return _(
        "This ID number is masked (as in an export without the reveal permission): type the full number."
    )


class SchoolPlaced:
    """A record that lies where a school lies: its own school, or its person's (``person_field``)."""

    person_field = None
    place_field = "school"

    def school_of_records(self, objs):
        if self.person_field is None:
            return related_of(objs, "school")
        people = related_of(objs, self.person_field)
        schools = related_of([p for p in people.values() if p is not None], "school")
        return {id(o): schools.get(id(people[id(o)])) for o in objs}

    def places(self, objs):
        schools = self.school_of_records(objs)
        places = school_places([s for s in schools.values() if s is not None])
        return [(self.place_field, places.get(id(schools[id(o)]))) for o in objs]

    def scope_paths(self, objs):
        schools = self.school_of_records(objs)
        recorded = list({id(s): s for s in schools.values() if s is not None}.values())
        paths = dict(zip(map(id, recorded), School.audit_scope_paths(recorded), strict=True))
        return [paths.get(id(schools[id(o)]), "") for o in objs]


# What follows a change of school in an upper app (a member's transfer proposed): registered by that app,
# so that this one names none of them (DESIGN: a lower app never names an upper one).
SCHOOL_CHANGE_HANDLERS = []


def on_school_change(function):
    """Register ``function(changes, write)``: called inside the write of every batch of people whose school
    it changes (a form, the API, the 人员 sheet), with ``changes`` [(person, old school, new school)] and
    the write in progress, after the people and their memberships are written."""
    if function not in SCHOOL_CHANGE_HANDLERS:
        SCHOOL_CHANGE_HANDLERS.append(function)
    return function


# 人员 ------------------------------------------------------------------------------------------------
class PersonService(SchoolPlaced, ModelService):
    """People. The ID number and the mobile are given in full and stored encrypted with a blind index and a
    masked copy; sex and birth date are read from the ID number. A party member's status is never typed:
    an item may carry the person's current ``membership`` (organization, admitted_on, full_on), and the
    status follows it."""

    model = Person
    fields = (
        "name",
        "id_number",
        "mobile",
        "sex",
        "birth_date",
        "ethnic_group",
        "education",
        "school",
        "post",
        "front_line",
        "political_status",
        "membership",
    )
    unique = (("id_number_index",),)
    VIRTUAL = ("id_number", "mobile", "membership")

    def build(self, plan):
        for item in plan.items:
            for name in self.VIRTUAL:
                if name in item.values:
                    item.extra[name] = item.values.pop(name)
        plan.extra["today"] = timezone.localdate()
        plan.extra["current"] = current_memberships(
            [i.instance for i in plan.items if i.instance is not None]
        )
        plan.extra["provider"] = get_provider()
        super().build(plan)
        plan.extra["memberships"] = self.membership_plan(plan)

    def derive(self, plan, item, index):
        problems = self.derive_id_number(plan, item, index) + self.derive_mobile(plan, item, index)
        return problems + self.derive_status(plan, item, index)

    def derive_id_number(self, plan, item, index):
        person, provider, given = item.obj, plan.extra["provider"], item.extra.get("id_number")
        if not given:
            if item.is_new:
                return [Problem(_("The ID number is required."), index, "id_number")]
            return []
        if isinstance(given, str) and "*" in given:
            return [Problem(masked_id(), index, "id_number")]
        try:
            parsed = (
                given if isinstance(given, IdNumber) else parse_id_number(given, today=plan.extra["today"])
            )
        except ValidationError as exc:
            return [Problem(exc.messages[0], index, "id_number")]
        errors = check_against_id(
            parsed, sex=item.values.get("sex"), birth_date=item.values.get("birth_date")
        )
        person.sex, person.birth_date = parsed.sex, parsed.birth_date
        index_value = item.extra.get("id_number_index") or provider.blind_index(
            parsed.number
        )  # (an importer's)
        if index_value != person.id_number_index:
            person.id_number_index = index_value
            person.id_number_masked = mask_id_number(parsed.number)
            person.pending_id_number = parsed.number
            item.extra["id_number_changed"] = True
        return [Problem(message, index, name) for name, message in errors.items()]

    def derive_mobile(self, plan, item, index):
        if "mobile" not in item.extra or item.extra["mobile"] is None:
            return []
        person, value = item.obj, item.extra["mobile"]
        number = normalise_mobile(value) if value else ""
        if number:
            try:
                validate_mobile(number)
            except ValidationError as exc:
                return [Problem(exc.messages[0], index, "mobile")]
        index_value = plan.extra["provider"].blind_index(number) if number else ""
        if index_value != person.mobile_index:
            person.mobile_index = index_value
            person.mobile_masked = mask_mobile(number) if number else ""
            person.pending_mobile = number
            item.extra["mobile_changed"] = True
        return []

    def derive_status(self, plan, item, index):
        """The status follows the membership the item gives, else the recorded one; a member's status typed
        without its membership is refused, and so is a membership given for someone typed as no member."""
        person, today = item.obj, plan.extra["today"]
        current = plan.extra["current"].get(person.pk) if person.pk else None
        loaded = None if item.is_new else item.instance._audit_loaded.get("political_status")
        typed = item.values.get("political_status", loaded)
        given = item.extra.get("membership")
        problems = []
        if given is not None and typed not in MEMBER_STATUSES:
            for name in ("organization", "admitted_on", "full_on"):
                if given.get(name) is not None:
                    message = _("Only for party members and probationary members: leave it empty.")
                    problems.append(Problem(message, index, name))
            item.extra["membership"] = given = None
        if given is not None:
            return problems + self.derive_member(item, index, typed, given, today)
        derived = status_for(current, today, typed or "masses")
        if typed in MEMBER_STATUSES and typed != derived:
            problems.append(
                Problem(
                    _("Party membership is recorded with its dates, not typed."), index, "political_status"
                )
            )
        elif current is not None and typed is not None and typed not in MEMBER_STATUSES:
            # The organization is not named: it may lie outside the writer's scope.
            message = _(
                "This person is recorded as a party member. A membership ends on the person's page, with "
                "its date, not here."
            )
            problems.append(Problem(message, index, "political_status"))
        person.political_status = derived
        return problems

    def derive_member(self, item, index, typed, given, today):
        problems = []
        admitted, full = given.get("admitted_on"), given.get("full_on")
        if admitted is None:
            problems.append(
                Problem(_("Required for party members and probationary members."), index, "admitted_on")
            )
        if given.get("organization") is None:
            problems.append(
                Problem(_("Required for party members and probationary members."), index, "organization")
            )
        if typed == "member" and full is None:
            problems.append(Problem(_("Required for full members (中共党员)."), index, "full_on"))
        if typed == "probationary" and full is not None:
            message = _("Leave it empty for a probationary member: full membership comes later.")
            problems.append(Problem(message, index, "full_on"))
        if typed == "member" and full is not None and full > today:
            message = _(
                "The date of full membership is in the future: until then the person is a probationary member."
            )
            problems.append(Problem(message, index, "full_on"))
        item.obj.political_status = typed
        if problems or admitted is None:
            item.extra["membership"] = None
        return problems

    def changes(self, item):
        names = super().changes(item)
        for flag, name in (("id_number_changed", "id_number"), ("mobile_changed", "mobile")):
            if not item.is_new and item.extra.get(flag) and name not in names:
                names.append(name)
        return names

    def membership_plan(self, plan):
        """The memberships the items give, as ``MembershipService`` items (checked with the people)."""
        entries = []
        for index, item in enumerate(plan.items):
            given = item.extra.get("membership")
            if not given:
                continue
            current = plan.extra["current"].get(item.obj.pk) if item.obj.pk else None
            values = {
                "person": item.obj,
                "organization": given["organization"],
                "admitted_on": given["admitted_on"],
                "full_on": given.get("full_on"),
            }
            if current is not None:
                current.person = item.obj
                values.pop("person")
            entries.append((index, Item(values, instance=current)))
        return entries

    def check(self, items, scope):
        plan = super().check(items, scope)
        entries = plan.extra["memberships"]
        if entries:
            memberships = MEMBERSHIPS.check([entry for _index, entry in entries], scope)
            for problem in memberships.problems:
                index = entries[problem.item][0] if problem.item is not None else None
                plan.problems.append(Problem(problem.message, index, problem.field, problem.missing))
            plan.extra["membership_plan"] = memberships
            for index, entry in entries:  # a changed membership is a change of its person's row too
                item = plan.items[index]
                if not item.is_new and entry.changed and "membership" not in item.changed:
                    item.changed.append("membership")
        return plan

    def problem_field(self, names):
        return "id_number"

    def duplicate_message(self, names):
        return not_registrable()

    def apply(self, plan, write):
        provider = plan.extra["provider"]
        # (the schools before, read before the update below keeps the new values as the loaded ones)
        moved = [(i.obj, i.obj._audit_loaded.get("school")) for i in plan.changed if "school" in i.changed]
        for item in plan.items:
            person = item.obj
            number = getattr(person, "pending_id_number", None)
            if number:
                person.id_number_cipher = provider.encrypt(number)
                del person.pending_id_number
            if hasattr(person, "pending_mobile"):
                person.mobile_cipher = (
                    provider.encrypt(person.pending_mobile) if person.pending_mobile else ""
                )
                del person.pending_mobile
            if person.school_id is None and SCHOOL_FIELD.is_cached(person):  # a school of the same batch
                person.school = person.school
        new = [item.obj for item in plan.new]
        paths = self.scope_paths(new)
        for start in range(0, len(new), WRITE_CHUNK):  # the largest write of an import: progress as it goes
            bulk_create_audited(
                Person, new[start : start + WRITE_CHUNK], scope_paths=paths[start : start + WRITE_CHUNK]
            )
            write.advance(len(new[start : start + WRITE_CHUNK]))
        changed = [i for i in plan.changed if set(i.changed) - {"membership"}]
        if changed:
            names = set()
            for item in changed:
                names.update(item.changed)
            names -= {"membership"}
            if "id_number" in names:
                names = (names - {"id_number"}) | {"id_number_cipher", "id_number_index", "id_number_masked"}
            if "mobile" in names:
                names = (names - {"mobile"}) | {"mobile_cipher", "mobile_index", "mobile_masked"}
            objs = [i.obj for i in changed]
            bulk_update_audited(Person, objs, sorted(names), scope_paths=self.scope_paths(objs))
        memberships = plan.extra.get("membership_plan")
        if memberships is not None:
            for entry in memberships.items:
                if entry.obj.person_id is None:
                    entry.obj.person = entry.obj.person  # a person of the batch, created since: take its id
            MEMBERSHIPS.write(memberships, write, follow=False)
        self.school_changed(moved, write)
        write.expect(Person, ADD, new)
        write.expect(Person, CHANGE, [i.obj for i in plan.changed])

    def school_changed(self, moved, write):
        """Tell the handlers of ``on_school_change`` whose school this write changed ((person, the school's
        pk before)), inside the write."""
        if not moved or not SCHOOL_CHANGE_HANDLERS:
            return
        old = sorted({pk for _person, pk in moved} - {None})
        schools = {s.pk: s for chunk in chunked(old) for s in School.objects.filter(pk__in=chunk)}
        changes = [(person, schools.get(pk), person.school) for person, pk in moved]
        for handler in SCHOOL_CHANGE_HANDLERS:
            handler(changes, write)

    def follow(self, people, write):
        """The political status of ``people`` (pks) as their current memberships now give it, written where it
        changed."""
        today = timezone.localdate()
        found = []
        for chunk in chunked(sorted(set(people))):
            recorded = remember(list(Person.objects.filter(pk__in=chunk)))
            current = current_memberships(recorded)
            for person in recorded:
                status = status_for(current.get(person.pk), today, person.political_status)
                if status != person.political_status:
                    person.political_status = status
                    found.append(person)
        if found:
            bulk_update_audited(Person, found, ["political_status"])
        return found


WRITE_CHUNK = 10_000  # people inserted per step of the write, so that an import's progress shows


def current_memberships(people):
    """{person pk: current membership (with its organization)} of recorded people, one query per 5,000."""
    found = {}
    for chunk in chunked(sorted(p.pk for p in people if p.pk)):
        for membership in (
            Membership.objects.current().filter(person_id__in=chunk).select_related("organization")
        ):
            found[membership.person_id] = membership
    by_pk = {p.pk: p for p in people if p.pk}
    for pk, membership in found.items():
        PERSON_FIELD.set_cached_value(membership, by_pk[pk])
    return found


# 党籍 ------------------------------------------------------------------------------------------------
class MembershipService(ModelService):
    """Memberships: one current per person, admitted from the 18th birthday, full when the probation ends
    (a year after admission, or after one extension of 6–12 months: ``full_membership_dates``); the
    person's political status follows every change."""

    model = Membership
    fields = (
        "person",
        "organization",
        "admitted_on",
        "full_on",
        "ended_on",
        "observation_from",
        "observation_until",
    )
    references = {"person": CHANGE}

    def validate(self, plan):
        super().validate(plan)
        for index, item in enumerate(plan.items):
            m = item.obj
            person = PERSON_FIELD.get_cached_value(m, None)
            # clean() checks the 18th birthday of a recorded person; here that of a person of the batch.
            unsaved = person is not None and m.person_id is None and person.birth_date
            if unsaved and m.admitted_on and m.admitted_on < add_years(person.birth_date, 18):
                message = _("A person can be admitted only from the 18th birthday.")
                plan.problems.append(Problem(message, index, "admitted_on"))

    def check_unique(self, plan):
        """One current membership per person (``membership_one_current``), in the batch and recorded."""
        wanted = [
            (index, item)
            for index, item in enumerate(plan.items)
            if item.obj.ended_on is None and (item.is_new or {"ended_on", "person"} & set(item.changed))
        ]
        seen = set()
        recorded = {item.obj.person_id for _index, item in wanted if item.obj.person_id}
        taken = {}
        for chunk in chunked(sorted(recorded)):
            taken.update(
                Membership.objects.current().filter(person_id__in=chunk).values_list("person_id", "pk")
            )
        for index, item in wanted:
            key = item.obj.person_id or id(PERSON_FIELD.get_cached_value(item.obj, None))
            duplicate = key in seen or (
                item.obj.person_id in taken and taken[item.obj.person_id] != item.obj.pk
            )
            seen.add(key)
            if duplicate:
                plan.problems.append(
                    Problem(_("This person already has a current membership."), index, "person")
                )

    def places(self, objs):
        return [
            ("organization", [o.organization.path] if o.organization_id and o.organization.path else None)
            for o in objs
        ]

    def apply(self, plan, write):
        self.write(plan, write)

    def write(self, plan, write, follow=True):
        for item in plan.items:
            if item.obj.organization_id is None and item.obj.organization is not None:
                item.obj.organization = item.obj.organization  # an organization of the batch, created since
        super().apply(plan, write)
        if follow:
            PEOPLE.follow([i.obj.person_id for i in plan.items if i.is_new or i.changed], write)

    def delete(self, objs, *, by):
        with writing(by) as write:
            people = [o.person_id for o in objs]
            super().delete(objs, by=by)
            PEOPLE.follow(people, write)

    def end(self, people, ended_on, *, by):
        """End the current membership of each person on ``ended_on``."""
        current = current_memberships(people)
        missing = [
            Problem(_("This person has no current membership."), n)
            for n, p in enumerate(people)
            if p.pk not in current
        ]
        if missing:
            raise RefusedError(missing)
        items = [Item({"ended_on": ended_on}, instance=remember([current[p.pk]])[0]) for p in people]
        return self.save(items, by=by)


# 称号, 选派, 委员 ------------------------------------------------------------------------------------
class HonorService(SchoolPlaced, ModelService):
    model = Honor
    fields = ("person", "title", "level", "awarded_on", "lapsed_on")
    references = {"person": CHANGE}
    unique = (("person", "title", "awarded_on"),)
    person_field = "person"
    place_field = "person"

    def validate(self, plan):
        super().validate(plan)
        for index, item in enumerate(plan.items):
            honor = item.obj
            if honor.lapsed_on is not None and honor.awarded_on and honor.lapsed_on <= honor.awarded_on:
                plan.problems.append(
                    Problem(_("The date lapsed must be after the date awarded."), index, "lapsed_on")
                )

    def apply(self, plan, write):
        for item in plan.items:
            if item.obj.person_id is None:
                item.obj.person = item.obj.person  # a person of the batch, created since: take its id
        super().apply(plan, write)


class DispatchService(SchoolPlaced, ModelService):
    """Dispatches. An instructor's dispatch may name the account the instructor signs in with: an account
    that holds the instructor role where the writer can see it (a role assignment in the writer's scope)."""

    model = Dispatch
    fields = ("person", "role", "school", "dispatching_body", "public", "start_on", "end_on", "account")
    references = {"person": CHANGE}

    def check(self, items, scope):
        plan = super().check(items, scope)
        linked = [
            (index, item)
            for index, item in enumerate(plan.items)
            if item.obj.account_id and (item.is_new or "account" in item.changed)
        ]
        if linked:
            holders = RoleAssignment.objects.filter(role=DispatchRole.INSTRUCTOR)
            if not scope.whole_tree:
                holders = holders.visible_to(scope.by)
            wanted = sorted({item.obj.account_id for _index, item in linked})
            allowed = set(holders.filter(user_id__in=wanted).values_list("user_id", flat=True))
            for index, item in linked:
                if item.obj.role != DispatchRole.INSTRUCTOR:
                    message = _("Only an instructor's dispatch names an account.")
                elif item.obj.account_id not in allowed:
                    message = _("This account holds no party-building instructor role in your scope.")
                else:
                    continue
                plan.problems.append(Problem(message, index, "account"))
            plan.problems.sort(key=lambda p: (p.item is None, p.item or 0))
        return plan


class GuidanceService(SchoolPlaced, ModelService):
    """Guidance records (指导记录) of the party-building instructors (PRIV.INSTRUCTOR_ROLE, 四员).

    An item names the instructor's dispatch; the record lies at the dispatch's school. A condition of
    validity (domain-rules §0.1), refused whoever writes: the dispatch is an instructor's, and it lasts on
    the day of the guidance (from its first to its last day). An account writes only for the dispatches that
    name it (its own records, at the schools it is dispatched to); ``SYSTEM`` (an import of past records,
    the demo) for any. The records named and written are re-checked in the writer's scope as always."""

    model = GuidanceRecord
    fields = ("dispatch", "held_on", "kind", "content", "issues", "follow_up")
    references = {"dispatch": PICK}
    place_field = "dispatch"

    def derive(self, plan, item, index):
        if index == 0:  # the dispatches and their schools of the whole batch, in bulk
            dispatches = related_of([i.obj for i in plan.items], "dispatch")
            related_of([d for d in dispatches.values() if d is not None], "school")
        dispatch = item.obj.dispatch if item.obj.dispatch_id else None
        if dispatch is not None:
            item.obj.school = dispatch.school

    def check(self, items, scope):
        items = list(items)
        recorded = {n: i.instance.dispatch_id for n, i in enumerate(items) if i.instance is not None}
        plan = super().check(items, scope)
        blocked = {p.item for p in plan.problems if p.missing or p.field == "dispatch"}
        plan.problems += self.check_own(plan, scope, recorded, blocked)
        plan.problems += self.check_dispatches(plan, scope, blocked)
        plan.problems.sort(key=lambda p: (p.item is None, p.item or 0))
        return plan

    def validate(self, plan):
        super().validate(plan)
        today = timezone.localdate()
        for index, item in enumerate(plan.items):
            if not (item.is_new or item.changed):
                continue
            record = item.obj
            for name in ("held_on", "kind", "content"):
                if not getattr(record, name):
                    plan.problems.append(Problem(_("This field is required."), index, name))
            if record.held_on and record.held_on > today:
                message = _("The date of guidance cannot be in the future.")
                plan.problems.append(Problem(message, index, "held_on"))

    def check_own(self, plan, scope, recorded, blocked):
        """A record changed is the writer's own: its dispatch (as recorded) names the writer's account."""
        if scope.whole_tree or not recorded:
            return []
        mine = set(
            Dispatch.objects.filter(pk__in=sorted(set(recorded.values())), account=scope.by).values_list(
                "pk", flat=True
            )
        )
        message = _(
            "This guidance record belongs to another instructor's dispatch: you may change only yours."
        )
        return [
            Problem(message, index)
            for index, dispatch_id in recorded.items()
            if index not in blocked and dispatch_id not in mine and plan.items[index].changed
        ]

    def check_dispatches(self, plan, scope, blocked):
        """The dispatch named is an instructor's, the writer's own, and lasts on the day of the guidance."""
        problems = []
        for index, item in enumerate(plan.items):
            record = item.obj
            if index in blocked or not (item.is_new or item.changed) or not record.dispatch_id:
                continue
            dispatch = record.dispatch
            school = dispatch.school.name
            if dispatch.role != DispatchRole.INSTRUCTOR:
                message = _(
                    "%(school)s: this dispatch is of a party secretary; guidance records are written for an "
                    "instructor's dispatch."
                ) % {"school": school}
                problems.append(Problem(message, index, "dispatch"))
            elif not scope.whole_tree and dispatch.account_id != scope.by.pk:
                message = _(
                    "%(school)s: this dispatch does not name your account; you write guidance records only "
                    "for the schools you are dispatched to."
                ) % {"school": school}
                problems.append(Problem(message, index, "dispatch"))
            elif record.held_on and not dispatch.active_on(record.held_on):
                message = _(
                    "On %(date)s you were not dispatched to %(school)s (the dispatch lasts from %(start)s "
                    "to %(end)s): a guidance record is written only for a day of the dispatch."
                ) % {
                    "date": record.held_on.isoformat(),
                    "school": school,
                    "start": dispatch.start_on.isoformat(),
                    "end": dispatch.end_on.isoformat() if dispatch.end_on else _("the present"),
                }
                problems.append(Problem(message, index, "held_on"))
        return problems


class CommitteePostService(ModelService):
    """Committee posts (党组织委员), the same rules for the organization's page, the API and the 党组织委员
    sheet: a post is held from ``start_on`` until the day before ``end_on`` (empty: held now), by a full
    member on the day it begins (a probationary member holds no post); one secretary per organization at a
    time; a person holds one post per organization at a time. The rules are checked only for items whose
    person and organization lie in the writer's scope: a refusal tells nothing of a record outside it.

    An item may carry ``extra["memberships"]``: [(admitted_on, full_on, ended_on)] of its person that the
    same batch gives (a person of the 人员 sheet of the same file), counted with the recorded ones."""

    model = CommitteePost
    fields = ("organization", "person", "post", "start_on", "end_on")
    references = {"person": CHANGE}
    RULED = {"organization", "person", "post", "start_on", "end_on"}

    def check(self, items, scope):
        plan = super().check(items, scope)
        blocked = {
            p.item for p in plan.problems if p.missing or p.field in ("person", "organization", "start_on")
        }
        ruled = [
            (index, item)
            for index, item in enumerate(plan.items)
            if index not in blocked and (item.is_new or self.RULED & set(item.changed))
        ]
        if ruled:
            starting = [
                (i, item) for i, item in ruled if item.is_new or {"person", "start_on"} & set(item.changed)
            ]
            plan.problems += self.check_full_members(starting) + self.check_overlaps(plan, ruled)
            plan.problems.sort(key=lambda p: (p.item is None, p.item or 0))
        return plan

    def validate(self, plan):
        super().validate(plan)
        today = timezone.localdate()
        for index, item in enumerate(plan.items):
            if not (item.is_new or item.changed):
                continue
            post = item.obj
            if post.start_on is None:
                plan.problems.append(Problem(_("This field is required."), index, "start_on"))
            elif post.start_on > today:
                message = _("The date the post was taken up cannot be in the future.")
                plan.problems.append(Problem(message, index, "start_on"))
            elif post.end_on is not None and post.end_on <= post.start_on:
                message = _("The date the post was left must be after the date it was taken up.")
                plan.problems.append(Problem(message, index, "end_on"))
            if not post.post:
                plan.problems.append(Problem(_("This field is required."), index, "post"))

    def check_full_members(self, ruled):
        """The person is a full member on the day the post begins (a recorded membership, or one the batch
        gives)."""
        people = related_of([item.obj for _index, item in ruled], "person")
        recorded = {}
        for chunk in chunked(sorted({p.pk for p in people.values() if p is not None and p.pk})):
            for person_id, admitted, full, ended in Membership.objects.filter(
                person_id__in=chunk
            ).values_list("person_id", "admitted_on", "full_on", "ended_on"):
                recorded.setdefault(person_id, []).append((admitted, full, ended))
        problems = []
        for index, item in ruled:
            person, day = people.get(id(item.obj)), item.obj.start_on
            if person is None:
                continue
            spans = recorded.get(person.pk, []) if person.pk else []
            spans = spans + list(item.extra.get("memberships", ()))
            if not any(full_member_at(span, day) for span in spans):
                message = _(
                    "Only a full member may hold a committee post: on %(date)s this person was not a full "
                    "member of the Party (a probationary member may not hold a post)."
                ) % {"date": day.isoformat()}
                problems.append(Problem(message, index, "person"))
        return problems

    def check_overlaps(self, plan, ruled):
        """One secretary per organization at a time, and one post per person and organization at a time:
        among the batch and against the recorded posts (as the batch leaves them)."""
        orgs = related_of([item.obj for item in plan.items], "organization")
        people = related_of([item.obj for item in plan.items], "person")
        changing = {item.obj.pk for item in plan.items if item.obj.pk}
        held = {}  # org key -> [(person key, post, start, end, item index or None, person's name)]
        for index, item in enumerate(plan.items):
            org, person, post = orgs.get(id(item.obj)), people.get(id(item.obj)), item.obj
            if org is not None and person is not None and post.start_on is not None:
                entry = (key_of(person), post.post, post.start_on, post.end_on, index, person.name)
                held.setdefault(key_of(org), []).append(entry)
        wanted = sorted({org.pk for org in orgs.values() if org is not None and org.pk})
        for chunk in chunked(wanted):
            recorded = (
                CommitteePost.objects.filter(organization_id__in=chunk)
                .exclude(pk__in=changing)
                .values_list("organization_id", "person_id", "post", "start_on", "end_on", "person__name")
            )
            for org_id, person_id, kind, start, end, name in recorded:
                held.setdefault(org_id, []).append((person_id, kind, start, end, None, name))
        problems = []
        for index, item in ruled:
            org, person, post = orgs.get(id(item.obj)), people.get(id(item.obj)), item.obj
            if org is None or person is None:
                continue
            others = [
                entry
                for entry in held.get(key_of(org), [])
                if entry[4] != index and overlaps(post.start_on, post.end_on, entry[2], entry[3])
            ]
            same = next((e for e in others if e[0] == key_of(person)), None)
            if same is not None:
                message = _(
                    "This person holds another post in this organization at that time (%(post)s from "
                    "%(start)s): a person holds one post per organization at a time. End that post first."
                ) % {"post": CommitteePostKind(same[1]).label, "start": same[2].isoformat()}
                problems.append(Problem(message, index, "person"))
            secretary = next((e for e in others if e[1] == CommitteePostKind.SECRETARY), None)
            if post.post == CommitteePostKind.SECRETARY and secretary is not None and secretary is not same:
                message = _(
                    "This organization has a secretary at that time (%(name)s, from %(start)s): one "
                    "secretary per organization at a time. End that post first."
                ) % {"name": secretary[5], "start": secretary[2].isoformat()}
                problems.append(Problem(message, index, "post"))
        return problems

    def apply(self, plan, write):
        for item in plan.items:
            post = item.obj
            if post.person_id is None and PERSON_OF_POST.is_cached(post):
                post.person = post.person  # a person of the batch, created since: take its id
            if post.organization_id is None and ORG_OF_POST.is_cached(post):
                post.organization = post.organization
        super().apply(plan, write)

    def end(self, post, end_on, *, by):
        """End a recorded post on ``end_on`` (the first day it is no longer held)."""
        return self.save([Item({"end_on": end_on}, instance=remember([post])[0])], by=by)[0]


PERSON_OF_POST = CommitteePost._meta.get_field("person")
ORG_OF_POST = CommitteePost._meta.get_field("organization")


def key_of(record):
    return record.pk or id(record)


def overlaps(start, end, other_start, other_end):
    """Whether [start, end) and [other_start, other_end) share a day (an empty end: still held)."""
    return (other_end is None or start < other_end) and (end is None or other_start < end)


def full_member_at(span, day):
    """Whether a membership (admitted_on, full_on, ended_on) makes its person a full member on ``day``."""
    admitted, full, ended = span
    return (
        admitted is not None
        and admitted <= day
        and full is not None
        and full <= day
        and (ended is None or ended >= day)
    )


PEOPLE = PersonService()
MEMBERSHIPS = MembershipService()
HONORS = HonorService()
DISPATCHES = DispatchService()
POSTS = CommitteePostService()
GUIDANCE = GuidanceService()

save_people = PEOPLE.save
set_memberships = MEMBERSHIPS.save
award_titles = HONORS.save
save_dispatches = DISPATCHES.save
save_posts = POSTS.save
record_guidance = GUIDANCE.save


@lies_with(School)
def staff_of_schools(pks):
    """A school's people, their titles and the dispatches to it lie where the school lies."""
    return [
        (Person, Person.objects.filter(school_id__in=pks)),
        (Honor, Honor.objects.filter(person__school_id__in=pks)),
        (Dispatch, Dispatch.objects.filter(school_id__in=pks)),
    ]
