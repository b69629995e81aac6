"""Import sheets of people: 人员 (staff, with their party membership) and 称号 (titles), as import-templates.md
gives them.

A person is identified by the blind index of the ID number (never by decrypting the table): the
rows' indexes are computed once and the recorded people loaded in bulk by them. The ID number's check
character, and sex and birth date against it, are checked as ``services.save_person`` checks them;
a membership by ``Membership.clean`` and the 18th-birthday rule; a party member's political status
follows the membership, as ``services.sync_political_status`` derives it, here for all rows at once.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core import codes
from redengine.core.audit import bulk_create_audited, bulk_update_audited, remember
from redengine.core.crypto import get_provider
from redengine.core.masking import mask_id_number
from redengine.core.validators import parse_id_number
from redengine.dataio import parsers
from redengine.dataio.importer import SheetImporter, SheetPlan, chunked, register
from redengine.dataio.sheets import Column, Sheet
from redengine.orgs.imports import (
    failed_keys,
    org_anchor_path,
    org_code,
    org_lookup,
    outside_scope,
    reference_known,
    school_code,
    school_lookup,
    schools_allowed,
)
from redengine.orgs.models import School

from .models import Honor, Membership, Person, add_years
from .services import MEMBER_STATUSES, check_against_id

SEXES = [("male", "男"), ("female", "女")]
TITLES = [
    ("backbone_teacher", "骨干教师"),
    ("excellent_teacher", "卓越教师"),
    ("chief_principal", "首席名校长"),
    ("famous_principal", "名校长"),
    ("studio_trainee", "名校长工作室学员"),
]
LEVELS = [("city", "市级"), ("district", "区县级"), ("school", "校级")]
ID_HELP = gettext_lazy("18 characters, typed as text.")

PEOPLE = Sheet(
    "人员",
    [
        Column("姓名", "name", parsers.text(50), required=True),
        Column("公民身份号码", "id_number", parsers.id_number_text(), required=True, help=ID_HELP),
        Column("性别", "sex", parsers.choice(SEXES), help=gettext_lazy("Must agree with the ID number.")),
        Column("出生日期", "birth_date", parsers.date(), help=gettext_lazy("Must agree with the ID number.")),
        Column(
            "民族",
            "ethnic_group",
            parsers.choice(codes.ETHNIC_GROUP_CHOICES, fallback=codes.ethnic_group_code),
        ),
        Column("学历", "education", parsers.choice(codes.EDUCATION_LEVELS)),
        Column("手机号码", "mobile", parsers.mobile()),
        Column("学校代码", "school_code", school_code(), required=True),
        Column("岗位", "post", parsers.choice(codes.POSTS)),
        Column("一线教师", "front_line", parsers.yes_no()),
        Column(
            "政治面貌",
            "political_status",
            parsers.choice(codes.POLITICAL_STATUSES, fallback=codes.political_status_code),
            help=gettext_lazy("Empty means 群众."),
        ),
        Column(
            "入党日期",
            "admitted_on",
            parsers.date(),
            help=gettext_lazy(
                "For party members and probationary members only; not before the 18th birthday."
            ),
        ),
        Column(
            "转正日期",
            "full_on",
            parsers.date(),
            help=gettext_lazy("For full members only: one to two years after the date admitted."),
        ),
        Column(
            "党组织代码",
            "membership_org",
            org_code(),
            help=gettext_lazy("For party members: the organization their membership is in."),
        ),
    ],
    key="id_number",
)
HONORS = Sheet(
    "称号",
    [
        Column("公民身份号码", "id_number", parsers.id_number_text(), required=True, help=ID_HELP),
        Column("称号", "title", parsers.choice(TITLES), required=True),
        Column("级别", "level", parsers.choice(LEVELS)),
        Column("认定日期", "awarded_on", parsers.date(), required=True),
        Column("截止日期", "lapsed_on", parsers.date(), help=gettext_lazy("After the date awarded.")),
    ],
    key=("id_number", "title", "awarded_on"),
)

PERSON_FIELDS = ["name", "ethnic_group", "education", "post", "front_line"]  # as typed ("" when empty)
FAILED_PEOPLE = ("failed", "人员", "id_number")
WRITE_CHUNK = 10_000  # people inserted per step of the write, so that its progress shows


SCHOOL_FIELD = Person._meta.get_field("school")
MEMBERSHIP_PERSON = Membership._meta.get_field("person")
MEMBERSHIP_ORGANIZATION = Membership._meta.get_field("organization")


def school_of(person):
    """The person's school object as planned (None when the row named an unknown school)."""
    return SCHOOL_FIELD.get_cached_value(person, None)


def person_lookup(ctx):
    return ctx.lookup("people", Person.objects.all(), "id_number_index")


def masked_id():
    return _(
        "This ID number is masked (as in an export without the reveal permission): type the full number."
    )


def read_id_numbers(ctx, data, failed):
    """[(row, parsed ID number, blind index)] of the rows whose ID number is valid; the others reported."""
    provider, found = get_provider(), []
    for row in data.rows:
        number = row.values["id_number"]
        if "*" in number:
            data.issue(row, "id_number", masked_id())
            failed.add(number)
            continue
        try:
            parsed = parse_id_number(number, today=ctx.today)
        except ValidationError as exc:
            data.issue(row, "id_number", exc.messages[0])
            failed.add(number)
            continue
        found.append((row, parsed, provider.blind_index(parsed.number)))
    return found


def attach_schools(ctx, people):
    """Give recorded people their school objects, loaded in bulk (for scope checks and audit paths)."""
    schools = school_lookup(ctx)
    by_pk = {school.pk: school for school in schools.records.values() if school.pk}
    missing = {p.school_id for p in people if p.school_id not in by_pk and not Person.school.is_cached(p)}
    for chunk in chunked(sorted(missing)):
        for school in School.objects.filter(pk__in=chunk):
            by_pk[school.pk] = school
            if schools.get(school.code) is None:
                schools.records[school.code] = school
    for person in people:
        if not Person.school.is_cached(person):
            person.school = by_pk[person.school_id]


def status_of(full_on, today):
    """The political status a membership gives (services.sync_political_status)."""
    return "member" if full_on and full_on <= today else "probationary"


# 人员 ------------------------------------------------------------------------------------------------
class PersonSheet(SheetImporter):
    sheet = PEOPLE
    order = 30
    models = (Person, Membership)

    def plan(self, ctx, data):
        failed = ctx.state[FAILED_PEOPLE] = failed_keys(data, "id_number")
        found = read_id_numbers(ctx, data, failed)
        people = person_lookup(ctx).load(index for _row, _parsed, index in found)
        schools = school_lookup(ctx).load(row.values["school_code"] for row, _parsed, _index in found)
        orgs = org_lookup(ctx).load(row.values["membership_org"] for row, _parsed, _index in found)
        recorded = [people.get(index) for _row, _parsed, index in found if people.get(index) is not None]
        attach_schools(ctx, recorded)
        memberships = self.current_memberships(recorded)
        by_number = ctx.state.setdefault("people_by_number", {})
        provider, columns = get_provider(), data.columns
        fields = [name for name in PERSON_FIELDS if name in columns]
        plan = SheetPlan(extra={"new_memberships": [], "changed_memberships": []})
        unchanged = []
        for counted, (row, parsed, index) in enumerate(found, start=1):
            values = row.values
            try:
                check_against_id(parsed, sex=values["sex"], birth_date=values["birth_date"])
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    data.issue(row, name, messages[0])
            school = schools.get(values["school_code"])
            if school is None and not reference_known(ctx, "学校", "code", values["school_code"]):
                data.issue(
                    row, "school_code", _("No school with this code, neither in the 学校 sheet nor recorded.")
                )
            status = values["political_status"] or "masses"
            org = self.check_membership(ctx, data, row, parsed, status, orgs)
            # A member's status follows the membership, as services.sync_political_status derives it.
            stored = status_of(values["full_on"], ctx.today) if status in MEMBER_STATUSES else status
            person = people.get(index)
            if person is None:
                diffs = []
                person = Person(
                    sex=parsed.sex,
                    birth_date=parsed.birth_date,
                    school_id=school.pk if school is not None else None,
                    political_status=stored,
                    id_number_index=index,
                    **{name: values[name] if values[name] is not None else "" for name in fields},
                )
                SCHOOL_FIELD.set_cached_value(person, school)  # as school=school would, without the checks
                person.pending_id_number = parsed.number
                person.pending_mobile = values["mobile"] if "mobile" in columns else None
                people.add(index, person)
                plan.new.append((row, person))
            else:
                diffs = self.differences(person, values, parsed, school, stored, fields, columns, provider)
                if diffs:
                    remember([person])
                    self.apply(person, diffs, values, parsed, school, stored)
            by_number[parsed.number] = person
            membership_change = self.plan_membership(
                ctx, data, row, person, parsed, status, org, memberships, plan
            )
            if person.pk is not None:
                if diffs or membership_change:
                    plan.changed.append((row, person, diffs))
                else:
                    unchanged.append((row, person))
            if counted % 10000 == 0:
                ctx.advance("validate", 10000)
        plan.unchanged = len(unchanged)
        self.check_scope(ctx, data, plan, unchanged)
        return plan

    @staticmethod
    def current_memberships(people):
        """{person pk: current membership} of recorded people, in one query per 5,000."""
        found = {}
        for chunk in chunked(sorted(p.pk for p in people)):
            for membership in (
                Membership.objects.current().filter(person_id__in=chunk).select_related("organization")
            ):
                found[membership.person_id] = membership
        for person in people:
            if person.pk in found:
                found[person.pk].person = person
        return found

    @staticmethod
    def differences(person, values, parsed, school, status, fields, columns, provider):
        diffs = [
            name
            for name in fields
            if getattr(person, name) != (values[name] if values[name] is not None else "")
        ]
        if person.sex != parsed.sex:
            diffs.append("sex")
        if person.birth_date != parsed.birth_date:
            diffs.append("birth_date")
        if school is not None and (person.school_id != school.pk or school.pk is None):
            diffs.append("school")
        if person.political_status != status:
            diffs.append("political_status")
        if "mobile" in columns:
            mobile = values["mobile"]
            if (provider.blind_index(mobile) if mobile else "") != person.mobile_index:
                diffs.append("mobile")
        return diffs

    @staticmethod
    def apply(person, diffs, values, parsed, school, status):
        for name in diffs:
            if name == "sex":
                person.sex = parsed.sex
            elif name == "birth_date":
                person.birth_date = parsed.birth_date
            elif name == "school":
                person.school = school
            elif name == "political_status":
                person.political_status = status
            elif name == "mobile":
                person.pending_mobile = values["mobile"]
            else:
                setattr(person, name, values[name] if values[name] is not None else "")

    def check_membership(self, ctx, data, row, parsed, status, orgs):
        """The membership columns of a row; the organization of a member's membership (or None)."""
        values = row.values
        admitted, full, code = values["admitted_on"], values["full_on"], values["membership_org"]
        if status not in MEMBER_STATUSES:
            for key in ("admitted_on", "full_on", "membership_org"):
                if values[key] is not None:
                    data.issue(
                        row, key, _("Only for party members and probationary members: leave it empty.")
                    )
            return None
        if admitted is None:
            data.issue(row, "admitted_on", _("Required for party members and probationary members."))
        if code is None:
            data.issue(row, "membership_org", _("Required for party members and probationary members."))
        if status == "member" and full is None:
            data.issue(row, "full_on", _("Required for full members (中共党员)."))
        if status == "probationary" and full is not None:
            data.issue(
                row, "full_on", _("Leave it empty for a probationary member: full membership comes later.")
            )
        if status == "member" and full is not None and full > ctx.today:
            data.issue(
                row,
                "full_on",
                _(
                    "The date of full membership is in the future: until then the person is a probationary member."
                ),
            )
        org = orgs.get(code) if code else None
        if code and org is None and not reference_known(ctx, "党组织", "org_code", code):
            data.issue(
                row,
                "membership_org",
                _("No organization with this code, neither in the 党组织 sheet nor recorded."),
            )
        return org

    @staticmethod
    def check_dates(data, row, membership, parsed):
        """The model's own rules (Membership.clean: not in the future, full membership one to two years
        after admission, and for a recorded person the 18th birthday), on the row's columns."""
        if membership.person_id is None and membership.admitted_on < add_years(parsed.birth_date, 18):
            data.issue(row, "admitted_on", _("A person can be admitted only from the 18th birthday."))
        try:
            membership.clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                data.issue(row, name, messages[0])

    def plan_membership(self, ctx, data, row, person, parsed, status, org, memberships, plan):
        """Whether the row creates or changes the person's current membership (planned in ``plan.extra``)."""
        current = memberships.get(person.pk) if person.pk else None
        values = row.values
        admitted, full = values["admitted_on"], values["full_on"]
        if status not in MEMBER_STATUSES:
            if current is not None:
                data.issue(
                    row,
                    "political_status",
                    _(
                        "This person is recorded as a party member in %(org)s. A membership ends on the "
                        "person's page, with its date, not by import."
                    )
                    % {"org": current.organization.code},
                )
            return False
        if admitted is None:
            return False
        if current is None:
            membership = Membership(
                person_id=person.pk,
                organization_id=org.pk if org else None,
                admitted_on=admitted,
                full_on=full,
            )
            MEMBERSHIP_PERSON.set_cached_value(
                membership, person
            )  # as person=person would, without the checks
            MEMBERSHIP_ORGANIZATION.set_cached_value(membership, org)
            self.check_dates(data, row, membership, parsed)
            if org is None:
                return False
            plan.extra["new_memberships"].append((row, membership))
            return True
        same = (
            org is not None
            and current.organization_id == org.pk
            and org.pk is not None
            and current.admitted_on == admitted
            and current.full_on == full
        )
        if not same:
            remember([current])
            old_path = current.organization.path
            current.admitted_on, current.full_on = admitted, full
            if org is not None:
                current.organization = org
        self.check_dates(data, row, current, parsed)
        if same or org is None:
            return False
        plan.extra["changed_memberships"].append((row, current, old_path))
        return True

    def check_scope(self, ctx, data, plan, unchanged):
        if ctx.whole_tree:
            return
        new_ok = schools_allowed(ctx, Person, "add", [school_of(p) for _row, p in plan.new if school_of(p)])
        for row, person in plan.new:
            if school_of(person) is not None and id(school_of(person)) not in new_ok:
                data.issue(row, "school_code", outside_scope())
        may_change = ctx.allowed_pks(Person, "change", [p.pk for _row, p, _diffs in plan.changed])
        moved = [school_of(p) for _row, p, diffs in plan.changed if "school" in diffs and school_of(p)]
        moved_ok = schools_allowed(ctx, Person, "change", moved)
        for row, person, diffs in plan.changed:
            if person.pk not in may_change:
                data.issue(row, "id_number", outside_scope())
            elif "school" in diffs and school_of(person) and id(school_of(person)) not in moved_ok:
                data.issue(row, "school_code", outside_scope())
        visible = ctx.allowed_pks(Person, "view", [p.pk for _row, p in unchanged])
        for row, person in unchanged:
            if person.pk not in visible:
                data.issue(row, "id_number", outside_scope())
        for row, membership in plan.extra["new_memberships"]:
            path = org_anchor_path(ctx, membership.organization)
            if path is not None and not ctx.path_allowed(Membership, "add", path):
                data.issue(row, "membership_org", outside_scope())
        for row, membership, old_path in plan.extra["changed_memberships"]:
            path = org_anchor_path(ctx, membership.organization)
            if not ctx.path_allowed(Membership, "change", old_path) or (
                path is not None and not ctx.path_allowed(Membership, "change", path)
            ):
                data.issue(row, "membership_org", outside_scope())

    def write(self, ctx, plan):
        provider = get_provider()
        new = [person for _row, person in plan.new]
        for person in new:
            number = person.pending_id_number
            person.id_number_cipher = provider.encrypt(number)
            person.id_number_masked = mask_id_number(number)
            person.set_mobile(person.pending_mobile)
            if person.school_id is None:  # a school of the file, created since: take its id
                person.school = person.school
        for chunk in chunked(new, WRITE_CHUNK):  # the largest write of an import: progress as it goes
            bulk_create_audited(Person, chunk)
            ctx.advance("write", len(chunk))
        changed = [person for _row, person, diffs in plan.changed if diffs]
        if changed:
            names = set()
            for _row, person, diffs in plan.changed:
                if "mobile" in diffs:
                    person.set_mobile(person.pending_mobile)
                names.update(diffs)
            if "mobile" in names:
                names = (names - {"mobile"}) | {"mobile_cipher", "mobile_index", "mobile_masked"}
            bulk_update_audited(Person, changed, sorted(names))
        created = [membership for _row, membership in plan.extra["new_memberships"]]
        for membership in created:  # people and organizations of the file have their ids now
            if membership.person_id is None:
                membership.person = membership.person
            if membership.organization_id is None:
                membership.organization = membership.organization
        if created:
            bulk_create_audited(Membership, created, scope_paths=[m.organization.path for m in created])
        updated = [membership for _row, membership, _path in plan.extra["changed_memberships"]]
        if updated:
            bulk_update_audited(
                Membership,
                updated,
                ["organization", "admitted_on", "full_on"],
                scope_paths=[m.organization.path for m in updated],
            )

    # Template and export ----------------------------------------------------------------------------
    def code_lists(self, user):
        schools = School.objects.visible_to(user, "view").order_by("code").values_list("code", flat=True)
        from redengine.orgs.models import PartyOrganization

        orgs = PartyOrganization.objects.visible_to(user, "view").values_list("code", flat=True)
        return {"school_code": list(schools), "membership_org": list(orgs)}

    def export_rows(self, ctx):
        people = Person.objects.visible_to(ctx.user, "export")
        revealed = revealed_people(ctx)
        memberships = {
            person_id: (code, admitted, full)
            for person_id, code, admitted, full in Membership.objects.current()
            .filter(person__in=people.values("pk"))
            .values_list("person_id", "organization__code", "admitted_on", "full_on")
        }
        for person in people.select_related("school").order_by("school__code", "name", "pk").iterator(2000):
            full = person.pk in revealed
            code, admitted, full_on = memberships.get(person.pk, (None, None, None))
            member = person.political_status in MEMBER_STATUSES
            yield {
                "name": person.name,
                "id_number": person.reveal_id_number() if full else person.id_number_masked,
                "sex": person.sex,
                "birth_date": person.birth_date,
                "ethnic_group": person.ethnic_group,
                "education": person.education,
                "mobile": (person.reveal_mobile() if full else person.mobile_masked) or None,
                "school_code": person.school.code,
                "post": person.post,
                "front_line": person.front_line,
                "political_status": person.political_status,
                "admitted_on": admitted if member else None,
                "full_on": full_on if member else None,
                "membership_org": code if member else None,
            }


def revealed_people(ctx):
    """Pks of the people whose ID numbers and mobiles the exporting user may see in full."""
    if "revealed" not in ctx.state:
        ctx.state["revealed"] = set(
            Person.objects.visible_to(ctx.user, "reveal").values_list("pk", flat=True)
        )
    return ctx.state["revealed"]


# 称号 ------------------------------------------------------------------------------------------------
class HonorSheet(SheetImporter):
    sheet = HONORS
    order = 40
    models = (Honor,)

    def plan(self, ctx, data):
        failed = set(ctx.state.get(FAILED_PEOPLE, ()))
        found = read_id_numbers(ctx, data, set())
        by_number = ctx.state.get("people_by_number", {})
        people = person_lookup(ctx).load(
            index for row, parsed, index in found if parsed.number not in by_number
        )
        rows = []
        for row, parsed, index in found:
            person = by_number.get(parsed.number) or people.get(index)
            if person is None:
                if not (
                    ctx.unreadable("人员") or parsed.number in failed or row.values["id_number"] in failed
                ):
                    data.issue(
                        row,
                        "id_number",
                        _("No person with this ID number, neither in the 人员 sheet nor recorded."),
                    )
                continue
            values = row.values
            if values["lapsed_on"] is not None and values["lapsed_on"] <= values["awarded_on"]:
                data.issue(row, "lapsed_on", _("The date lapsed must be after the date awarded."))
            rows.append((row, person))
        recorded_people = [person for _row, person in rows if person.pk]
        attach_schools(ctx, recorded_people)
        honors = {}
        for chunk in chunked(sorted({p.pk for p in recorded_people})):
            for honor in Honor.objects.filter(person_id__in=chunk):
                honors[(honor.person_id, honor.title, honor.awarded_on)] = honor
        plan, unchanged = SheetPlan(), []
        for row, person in rows:
            values = row.values
            level = (values["level"] or "") if "level" in data.columns else None
            honor = honors.get((person.pk, values["title"], values["awarded_on"])) if person.pk else None
            if honor is None:
                honor = Honor(
                    person=person,
                    title=values["title"],
                    level=level or "",
                    awarded_on=values["awarded_on"],
                    lapsed_on=values["lapsed_on"],
                )
                plan.new.append((row, honor))
                continue
            diffs = []
            if level is not None and honor.level != level:
                diffs.append("level")
            if "lapsed_on" in data.columns and honor.lapsed_on != values["lapsed_on"]:
                diffs.append("lapsed_on")
            if diffs:
                remember([honor])
                honor.level = level if "level" in diffs else honor.level
                honor.lapsed_on = values["lapsed_on"] if "lapsed_on" in diffs else honor.lapsed_on
                honor.person = person
                plan.changed.append((row, honor, diffs))
            else:
                unchanged.append((row, honor))
        plan.unchanged = len(unchanged)
        self.check_scope(ctx, data, plan, unchanged)
        return plan

    def check_scope(self, ctx, data, plan, unchanged):
        if ctx.whole_tree:
            return
        new_ok = schools_allowed(
            ctx, Honor, "add", [school_of(h.person) for _row, h in plan.new if school_of(h.person)]
        )
        for row, honor in plan.new:
            if school_of(honor.person) is not None and id(school_of(honor.person)) not in new_ok:
                data.issue(row, "id_number", outside_scope())
        may_change = ctx.allowed_pks(Honor, "change", [h.pk for _row, h, _diffs in plan.changed])
        for row, honor, _diffs in plan.changed:
            if honor.pk not in may_change:
                data.issue(row, "id_number", outside_scope())
        visible = ctx.allowed_pks(Honor, "view", [h.pk for _row, h in unchanged])
        for row, honor in unchanged:
            if honor.pk not in visible:
                data.issue(row, "id_number", outside_scope())

    def write(self, ctx, plan):
        new = [honor for _row, honor in plan.new]
        for honor in new:
            if honor.person_id is None:  # a person of the file, created since: take its id
                honor.person = honor.person
        if new:
            paths = Person.audit_scope_paths([honor.person for honor in new])
            bulk_create_audited(Honor, new, scope_paths=paths)
        changed = [honor for _row, honor, _diffs in plan.changed]
        if changed:
            fields = sorted({name for _row, _honor, diffs in plan.changed for name in diffs})
            paths = Person.audit_scope_paths([honor.person for honor in changed])
            bulk_update_audited(Honor, changed, fields, scope_paths=paths)

    def export_rows(self, ctx):
        revealed = revealed_people(ctx)
        honors = Honor.objects.visible_to(ctx.user, "export").select_related("person")
        for honor in honors.order_by("person__name", "person_id", "awarded_on", "pk").iterator(2000):
            person = honor.person
            yield {
                "id_number": person.reveal_id_number() if person.pk in revealed else person.id_number_masked,
                "title": honor.title,
                "level": honor.level,
                "awarded_on": honor.awarded_on,
                "lapsed_on": honor.lapsed_on,
            }


register(PersonSheet())
register(HonorSheet())
