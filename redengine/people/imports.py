"""Import sheets of people: 人员 (staff, with their party membership), 党组织委员 (committee posts) and 称号
(titles), as import-templates.md gives them.

A person is identified by the blind index of the ID number (never by decrypting the table): the rows'
indexes are computed once and the recorded people loaded in bulk by them. The rows become the items of
``services.PEOPLE`` (a member's row carries the membership the political status follows) and
``services.POSTS`` and ``services.HONORS``, which check them as they check a form or an API call, and write them in bulk.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redengine.core import codes
from redengine.core.crypto import get_provider
from redengine.core.services import Item
from redengine.core.validators import parse_id_number
from redengine.dataio import parsers
from redengine.dataio.importer import SheetImporter, SheetPlan, chunked, register, report
from redengine.dataio.sheets import Column, Sheet
from redengine.orgs.imports import (
    failed_keys,
    org_code,
    org_lookup,
    present,
    reference_known,
    school_code,
    school_lookup,
)
from redengine.orgs.models import PartyOrganization, School

from . import services
from .models import CommitteePost, Honor, Membership, Person
from .services import MEMBER_STATUSES, masked_id


def cannot_check_mobile():
    return _("This person's mobile cannot be checked: you may not see this person's full details.")


SEXES = [("male", "男"), ("female", "女")]
TITLES = [
    ("backbone_teacher", "骨干教师"),
    ("excellent_teacher", "卓越教师"),
    ("chief_principal", "首席名校长"),
    ("famous_principal", "名校长"),
    ("studio_trainee", "名校长工作室学员"),
]
LEVELS = [("city", "市级"), ("district", "区县级"), ("school", "校级")]
POST_KINDS = [
    ("secretary", "书记"),
    ("deputy_secretary", "副书记"),
    ("organizing", "组织委员"),
    ("propaganda", "宣传委员"),
    ("discipline", "纪检委员"),
    ("member", "委员"),
]
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

POSTS = Sheet(
    "党组织委员",
    [
        Column(
            "党组织代码",
            "post_org",
            org_code(),
            required=True,
            help=gettext_lazy("In the 党组织 sheet or already recorded."),
        ),
        Column(
            "公民身份号码",
            "id_number",
            parsers.id_number_text(),
            required=True,
            help=gettext_lazy(
                "18 characters, typed as text: a full member, in the 人员 sheet or already recorded (a "
                "probationary member may not hold a post)."
            ),
        ),
        Column(
            "职务",
            "post",
            parsers.choice(POST_KINDS),
            required=True,
            help=gettext_lazy(
                "One secretary per organization at a time; a person holds one post per organization at a "
                "time."
            ),
        ),
        Column(
            "任职日期",
            "start_on",
            parsers.date(),
            required=True,
            help=gettext_lazy("The date the post was taken up; not in the future."),
        ),
        Column(
            "离任日期",
            "end_on",
            parsers.date(),
            help=gettext_lazy("Empty while the post is held; after the date the post was taken up."),
        ),
    ],
    key=("post_org", "id_number", "start_on"),
)

PERSON_FIELDS = ["name", "ethnic_group", "education", "post", "front_line"]  # as typed ("" when empty)
MEMBERSHIP_COLUMNS = ("admitted_on", "full_on", "membership_org")
FAILED_PEOPLE = ("failed", "人员", "id_number")
PERSON_COLUMNS = {"school": "school_code", "organization": "membership_org", "person": "id_number"}


def person_lookup(ctx):
    return ctx.lookup("people", Person.objects.all(), "id_number_index")


def read_id_numbers(ctx, data, failed, key="id_number"):
    """[(row, parsed ID number, blind index)] of the rows whose ID number (in column ``key``) is valid; the
    others reported."""
    provider, found = get_provider(), []
    for row in data.rows:
        number = row.values[key]
        if "*" in number:
            data.issue(row, key, masked_id())
            failed.add(number)
            continue
        try:
            parsed = parse_id_number(number, today=ctx.today)
        except ValidationError as exc:
            data.issue(row, key, exc.messages[0])
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
        recorded = [people.get(index) for _r, _p, index in found if people.get(index) is not None]
        attach_schools(ctx, recorded)
        # What the importer may know of (a record outside the scope answers as one that does not exist) and
        # whose protected fields they may compare (those they may reveal).
        known_person, may_reveal = ctx.known(Person, recorded), ctx.known(Person, recorded, "reveal")
        known_school = ctx.known(School, [schools.get(row.values["school_code"]) for row, _p, _i in found])
        known_org = ctx.known(
            PartyOrganization, [orgs.get(row.values["membership_org"]) for row, _p, _i in found]
        )
        by_number = ctx.state.setdefault("people_by_number", {})
        given = ctx.state.setdefault("given_memberships", {})
        fields = present(data, PERSON_FIELDS)
        membership_columns = any(name in data.columns for name in MEMBERSHIP_COLUMNS)
        rows, items, told = [], [], set()
        for index, (row, parsed, blind_index) in enumerate(found):
            values = row.values
            person = people.get(blind_index)
            if person is not None and known_person(person) is None:
                # Registered outside the importer's scope: told in words that name nothing of the record.
                data.issue(row, "id_number", services.not_registrable())
                failed.add(parsed.number)
                continue
            item = Item({name: values[name] if values[name] is not None else "" for name in fields})
            item.values.update(id_number=parsed, sex=values["sex"], birth_date=values["birth_date"])
            item.extra["id_number_index"] = blind_index  # computed once, for the look-up
            item.values["political_status"] = status = values["political_status"] or "masses"
            if "mobile" in data.columns:
                if values["mobile"] and person is not None and may_reveal(person) is None:
                    # Compared, it would tell whether the mobile is this one: refused the same either way.
                    data.issue(row, "mobile", cannot_check_mobile())
                    told.add((index, "mobile"))
                else:
                    item.values["mobile"] = values["mobile"] or ""
            school = known_school(schools.get(values["school_code"]))
            if school is None:
                told.add((index, "school_code"))
                if not reference_known(ctx, "学校", "code", values["school_code"]):
                    message = _("No school with this code, neither in the 学校 sheet nor recorded.")
                    data.issue(row, "school_code", message)
            else:
                item.values["school"] = school
            if membership_columns:
                item.values["membership"] = self.membership(ctx, data, row, index, orgs, told, known_org)
            if person is None:
                item.obj = person = Person()
                people.add(blind_index, person)
            else:
                item.instance = person
            by_number[parsed.number] = person
            if membership_columns:  # the membership as the row leaves it, for the 发展环节 sheet
                member = status in MEMBER_STATUSES
                org = item.values["membership"]["organization"] if member else None
                admitted, full = (values["admitted_on"], values["full_on"]) if member else (None, None)
                given[id(person)] = (person, status, admitted, full, org)
            rows.append(row)
            items.append(item)
            if (index + 1) % 10000 == 0:
                ctx.advance("validate", 10000)
        checked = services.PEOPLE.check(items, ctx.scope)
        report(data, rows, checked.problems, columns=PERSON_COLUMNS, default="id_number", skip=told)
        return SheetPlan.of(checked, people=checked)

    @staticmethod
    def membership(ctx, data, row, index, orgs, told, known_org):
        values = row.values
        code = values["membership_org"]
        org = known_org(orgs.get(code)) if code else None
        if code and org is None:
            told.add((index, "membership_org"))
            if not reference_known(ctx, "党组织", "org_code", code):
                message = _("No organization with this code, neither in the 党组织 sheet nor recorded.")
                data.issue(row, "membership_org", message)
        return {"organization": org, "admitted_on": values["admitted_on"], "full_on": values["full_on"]}

    def write(self, ctx, plan):
        services.PEOPLE.apply(plan.extra["people"], ctx.scope)

    # Template and export ----------------------------------------------------------------------------
    def code_lists(self, user):
        schools = School.objects.visible_to(user, "view").order_by("code").values_list("code", flat=True)
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
        for person in (
            people.select_related("school").order_by("school__code", "name_key", "pk").iterator(2000)
        ):
            full = person.pk in revealed
            code, admitted, full_on = memberships.get(person.pk, (None, None, None))
            member = person.political_status in MEMBER_STATUSES
            yield {
                "name": person.name,
                "id_number": person.reveal_id_number() if full else person.id_number_masked,
                "sex": person.sex,
                "birth_date": person.birth_date if full else None,  # as privacy.PersonalView shows it
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

    def export_count(self, ctx):
        return Person.objects.visible_to(ctx.user, "export").count()


def revealed_people(ctx):
    """Pks of the people whose ID numbers and mobiles the exporting user may see in full."""
    if "revealed" not in ctx.state:
        ctx.state["revealed"] = set(
            Person.objects.visible_to(ctx.user, "reveal").values_list("pk", flat=True)
        )
    return ctx.state["revealed"]


def people_of_rows(ctx, data, found, key="id_number"):
    """[(row, person)] of the rows whose person (the ID number in column ``key``) the importer may know of
    (of the 人员 sheet of the same file, or recorded within the scope); the others reported as not found,
    word for word the same."""
    failed = set(ctx.state.get(FAILED_PEOPLE, ()))
    by_number = ctx.state.get("people_by_number", {})
    people = person_lookup(ctx).load(index for row, parsed, index in found if parsed.number not in by_number)
    known_person = ctx.known(Person, [people.get(index) for _row, _parsed, index in found])
    matched = []
    for row, parsed, index in found:
        person = by_number.get(parsed.number) or known_person(people.get(index))
        if person is None:
            if not (ctx.unreadable("人员") or parsed.number in failed or row.values[key] in failed):
                data.issue(
                    row,
                    key,
                    _("No person with this ID number, neither in the 人员 sheet nor recorded."),
                )
            continue
        matched.append((row, person))
    attach_schools(ctx, [person for _row, person in matched if person.pk])
    return matched


# 称号 ------------------------------------------------------------------------------------------------
class HonorSheet(SheetImporter):
    sheet = HONORS
    order = 40
    models = (Honor,)

    def plan(self, ctx, data):
        matched = people_of_rows(ctx, data, read_id_numbers(ctx, data, set()))
        honors = {}
        for chunk in chunked(sorted({p.pk for _row, p in matched if p.pk})):
            for honor in Honor.objects.filter(person_id__in=chunk):
                honors[(honor.person_id, honor.title, honor.awarded_on)] = honor
        rows, items = [], []
        for row, person in matched:
            values = row.values
            recorded = honors.get((person.pk, values["title"], values["awarded_on"])) if person.pk else None
            item_values = {name: values[name] or "" for name in present(data, ["level"])}
            if "lapsed_on" in data.columns:
                item_values["lapsed_on"] = values["lapsed_on"]
            if recorded is None:
                item_values.update(person=person, title=values["title"], awarded_on=values["awarded_on"])
                items.append(Item(item_values))
            else:
                recorded.person = person
                items.append(Item(item_values, instance=recorded))
            rows.append(row)
        checked = services.HONORS.check(items, ctx.scope)
        report(data, rows, checked.problems, columns={"person": "id_number"}, default="id_number")
        return SheetPlan.of(checked, honors=checked)

    def write(self, ctx, plan):
        services.HONORS.apply(plan.extra["honors"], ctx.scope)

    def export_rows(self, ctx):
        revealed = revealed_people(ctx)
        honors = Honor.objects.visible_to(ctx.user, "export").select_related("person")
        for honor in honors.order_by("person__name_key", "person_id", "awarded_on", "pk").iterator(2000):
            person = honor.person
            yield {
                "id_number": person.reveal_id_number() if person.pk in revealed else person.id_number_masked,
                "title": honor.title,
                "level": honor.level,
                "awarded_on": honor.awarded_on,
                "lapsed_on": honor.lapsed_on,
            }

    def export_count(self, ctx):
        return Honor.objects.visible_to(ctx.user, "export").count()


# 党组织委员 --------------------------------------------------------------------------------------------
POST_COLUMNS = {"organization": "post_org", "person": "id_number"}


class PostSheet(SheetImporter):
    """党组织委员: a row is a post (organization, person, date taken up); a row naming a recorded post (the same
    three) changes its 职务 or 离任日期. The rules are the service's (``services.POSTS``): a full member on the
    day the post begins, one secretary per organization and one post per person and organization at a
    time."""

    sheet = POSTS
    order = 35  # after 党组织 and 人员, whose rows a post may name
    models = (CommitteePost,)

    def plan(self, ctx, data):
        found = read_id_numbers(ctx, data, set())
        matched = people_of_rows(ctx, data, found)
        orgs = org_lookup(ctx).load(row.values["post_org"] for row, _person in matched)
        known_org = ctx.known(PartyOrganization, [orgs.get(row.values["post_org"]) for row, _p in matched])
        given = ctx.state.get("given_memberships", {})
        recorded = {}
        wanted = sorted({org.pk for org in orgs.records.values() if org.pk})
        for chunk in chunked(wanted):
            for post in CommitteePost.objects.filter(organization_id__in=chunk):
                recorded[(post.organization_id, post.person_id, post.start_on)] = post
        rows, items = [], []
        for row, person in matched:
            values = row.values
            org = known_org(orgs.get(values["post_org"]))
            if org is None:
                if not reference_known(ctx, "党组织", "org_code", values["post_org"]):
                    message = _("No organization with this code, neither in the 党组织 sheet nor recorded.")
                    data.issue(row, "post_org", message)
                continue
            post = None
            if org.pk and person.pk:
                post = recorded.get((org.pk, person.pk, values["start_on"]))
            item_values = {"post": values["post"]}
            if "end_on" in data.columns:
                item_values["end_on"] = values["end_on"]
            if post is None:
                item_values.update(organization=org, person=person, start_on=values["start_on"])
                item = Item(item_values)
            else:
                post.organization, post.person = org, person
                item = Item(item_values, instance=post)
            if id(person) in given:
                _person, status, admitted, full, _org = given[id(person)]
                if status in MEMBER_STATUSES and admitted is not None:
                    item.extra["memberships"] = [(admitted, full, None)]
            rows.append(row)
            items.append(item)
        checked = services.POSTS.check(items, ctx.scope)
        report(data, rows, checked.problems, columns=POST_COLUMNS, default="id_number")
        return SheetPlan.of(checked, posts=checked)

    def write(self, ctx, plan):
        services.POSTS.apply(plan.extra["posts"], ctx.scope)

    def code_lists(self, user):
        orgs = PartyOrganization.objects.visible_to(user, "view").values_list("code", flat=True)
        return {"post_org": list(orgs)}

    def export_rows(self, ctx):
        revealed = revealed_people(ctx)
        posts = CommitteePost.objects.visible_to(ctx.user, "export").select_related("organization", "person")
        for post in posts.order_by("organization__path", "post", "start_on", "pk").iterator(2000):
            person = post.person
            yield {
                "post_org": post.organization.code,
                "id_number": person.reveal_id_number() if person.pk in revealed else person.id_number_masked,
                "post": post.post,
                "start_on": post.start_on,
                "end_on": post.end_on,
            }

    def export_count(self, ctx):
        return CommitteePost.objects.visible_to(ctx.user, "export").count()


register(PersonSheet())
register(PostSheet())
register(HonorSheet())
