"""Awards and party discipline, batch-first: ``record_awards(items, *, by)``, ``delete_awards``,
``record_discipline(items, *, by)``, ``lift_discipline`` and ``delete_discipline``.

Awards (表彰): 优秀共产党员 and 优秀党务工作者 to a person — 优秀共产党员 to a party member on the day of the
award —, 先进基层党组织 to a grassroots organization (a school's committee, general branch or branch: not the
bureau's working committee nor a district bureau's committee); the title and level among the rules', the
day not in the future, the awarding body required; an award recorded once.

Discipline (党纪处分, 党章第四十条), each with its day, document, deciding body and reason:

* 警告, 严重警告: recorded, no effect on the membership's records;
* 撤销党内职务: the person's committee posts held on the day of the decision end on that day (through the
  registry's committee-post service, checked and audited with the record);
* 留党察看 for 12 or 24 months (the period is required and only these: 纪律处分条例 "留党察看一年、二年";
  党章第四十条: at most two years). The membership's ``observation_from`` is the day decided and its
  ``observation_until`` the day the rights are restored (``lifted_on``: empty while it lasts), which the
  development rules (introducers) and the branch general meeting's "should attend" already read. The rights
  are restored once the period has ended, not before. **An extension** (one year more: "期满后仍不符合恢复
  党员权利条件的，应当延长一年") is recorded by changing the period of the open record from 12 to 24 months,
  once and while the rights are not restored — not by a second record: a second 留党察看 is refused while
  one is open, so that the membership's dates always follow one record;
* 开除党籍: the membership ends on the day decided, its state becomes expelled (a ``StatusChange`` written with
  it, which says only that it is a disciplinary measure) and the political status follows.

The kind and the member of a record never change; the day of a 撤销党内职务 or a 开除党籍 neither (their effects
were written on it), and these two are not deleted. A 留党察看 deleted (recorded by mistake) takes its dates off
the membership. Readable only with ``view_discipline`` (``models.VIEW_DISCIPLINE``): the pages, exports and
API check it; a secretary sees only the effect on the person's record (``observation_note``).
"""

from collections import defaultdict

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.audit import remember
from redengine.core.dates import add_months
from redengine.core.services import CHANGE, DELETE, PICK, Item, ModelService, Plan, related_of
from redengine.core.writes import Problem, RefusedError, chunked, outside_scope, writing
from redengine.orgs.services import school_places
from redengine.people.choices import MembershipStatus
from redengine.people.models import CommitteePost, Membership, Person, under_observation
from redengine.people.services import POSTS

from ..models import Award, Discipline, StatusChange
from ..rules import PERSON_AWARDS, PROBATION_MONTHS, AwardLevel, AwardTitle, DisciplineKind
from .statuses import DISCIPLINE, States, bind_memberships, blocked_items, required

K = DisciplineKind


def strip(obj, names):
    for name in names:
        setattr(obj, name, (getattr(obj, name) or "").strip())


# Awards -------------------------------------------------------------------------------------------------
class AwardService(ModelService):
    model = Award
    fields = ("title", "level", "person", "organization", "awarded_on", "awarded_by", "document")
    references = {"person": PICK, "organization": PICK}

    def check(self, items, scope):
        """The award's own rules, the scope of what it names, then (for the people and organizations in the
        scope only: a refusal tells nothing of a record outside it) the membership and the awards recorded."""
        plan = Plan(list(items))
        self.build(plan)
        self.validate(plan)
        today = timezone.localdate()
        touched = [(i, item.obj) for i, item in enumerate(plan.items) if item.is_new or item.changed]
        for index, award in touched:
            plan.problems += award_problems(award, index, today)
        self.check_scope(plan, scope)
        blocked = {p.item for p in plan.problems if p.missing or p.field in ("person", "organization")}
        ruled = [(i, award) for i, award in touched if i not in blocked]
        plan.problems += self.check_members(ruled) + self.check_recorded(ruled)
        plan.problems.sort(key=lambda p: (p.item is None, p.item or 0))
        return plan

    def check_places(self, plan, scope):
        """Where the award will lie, for those whose person or organization is in the scope (else the
        reference says so already)."""
        named = {p.item for p in plan.problems if p.field in ("person", "organization")}
        kept = [item for index, item in enumerate(plan.items) if index not in named]
        if len(kept) == len(plan.items):
            return super().check_places(plan, scope)
        problems = list(plan.problems)
        super().check_places(plan, scope)
        plan.problems = problems + [p for p in plan.problems[len(problems) :] if p.item not in named]
        return None

    @staticmethod
    def check_members(touched):
        """优秀共产党员 goes to a party member (probationary or full) on the day of the award."""
        wanted = [
            (i, a)
            for i, a in touched
            if a.title == AwardTitle.EXCELLENT_MEMBER and a.person_id and a.awarded_on
        ]
        members = defaultdict(list)
        for chunk in chunked(sorted({a.person_id for _i, a in wanted})):
            for person_id, admitted, ended in Membership.objects.filter(person_id__in=chunk).values_list(
                "person_id", "admitted_on", "ended_on"
            ):
                members[person_id].append((admitted, ended))
        return [
            Problem(
                _("%(name)s was not a party member on %(date)s: 优秀共产党员 is awarded to a party member.")
                % {"name": a.person.name, "date": a.awarded_on.isoformat()},
                i,
                "person",
            )
            for i, a in wanted
            if not any(
                s <= a.awarded_on and (e is None or e >= a.awarded_on) for s, e in members[a.person_id]
            )
        ]

    @staticmethod
    def check_recorded(touched):
        """An award (its title, level, day and person or organization) is recorded once."""
        keys = {}
        for i, a in touched:
            if a.title and a.awarded_on and (a.person_id or a.organization_id):
                keys.setdefault((a.title, a.level, a.awarded_on, a.person_id, a.organization_id), []).append(
                    i
                )
        if not keys:
            return []
        days = sorted({k[2] for k in keys})
        taken = {
            (t, lv, d, p, o): pk
            for t, lv, d, p, o, pk in Award.objects.filter(awarded_on__in=days).values_list(
                "title", "level", "awarded_on", "person_id", "organization_id", "pk"
            )
        }
        found = []
        own = {i: a.pk for i, a in touched}
        for key, indexes in keys.items():
            for n, i in enumerate(indexes):
                if n or taken.get(key, own[i]) != own[i]:
                    found.append(Problem(_("This award is recorded already."), i, "title"))
        return found

    def places(self, objs):
        people = related_of(objs, "person")
        schools = related_of([p for p in people.values() if p is not None], "school")
        found = school_places([s for s in schools.values() if s is not None])
        places = []
        for obj in objs:
            person = people.get(id(obj))
            if person is not None:
                places.append(("person", found.get(id(schools.get(id(person))))))
            elif obj.organization_id:
                places.append(("organization", [obj.organization.path]))
            else:
                places.append((None, None))
        return places

    def scope_paths(self, objs):
        people = related_of(objs, "person")
        persons = [p for p in people.values() if p is not None]
        paths = dict(zip(map(id, persons), Person.audit_scope_paths(persons), strict=True))
        return [paths[id(people[id(o)])] if people.get(id(o)) else o.organization.path for o in objs]

    def place_message(self, item):
        return _("You may not record an award there: it lies outside your scope.")


def award_problems(award, index, today):
    found = []

    def say(message, field):
        found.append(Problem(message, index, field))

    strip(award, ("awarded_by", "document"))
    if award.title not in AwardTitle.values:
        say(_("Choose the title awarded."), "title")
    if award.level not in AwardLevel.values:
        say(_("Choose the level of the award."), "level")
    if award.awarded_on is None:
        say(required(), "awarded_on")
    elif award.awarded_on > today:
        say(_("An award is recorded once given: the date is in the future."), "awarded_on")
    if not award.awarded_by:
        say(required(), "awarded_by")
    if award.title in PERSON_AWARDS:
        if not award.person_id:
            say(
                _("%(title)s is awarded to a person: choose the person.")
                % {"title": award.get_title_display()},
                "person",
            )
        if award.organization_id:
            say(_("An award to a person names no organization: leave it empty."), "organization")
    elif award.title in AwardTitle.values:
        if not award.organization_id:
            say(_("先进基层党组织 is awarded to an organization: choose the organization."), "organization")
        elif award.organization.depth == 1 or award.organization.district:
            say(
                _(
                    "%(org)s is not a grassroots organization: 先进基层党组织 is awarded to a school's committee, "
                    "general branch or branch."
                )
                % {"org": award.organization.name},
                "organization",
            )
        if award.person_id:
            say(_("An award to an organization names no person: leave it empty."), "person")
    return found


AWARDS = AwardService()


def record_awards(items, *, by):
    """Check and write a batch of awards (``Item``s); the awards written."""
    return AWARDS.save(items, by=by)


def delete_awards(objs, *, by):
    AWARDS.delete(objs, by=by)


# Discipline ---------------------------------------------------------------------------------------------
def probation_end(record):
    """The day a 留党察看's period ends (its rights may be restored from that day)."""
    if record.decided_on is None or record.period_months not in PROBATION_MONTHS:
        return None
    return add_months(record.decided_on, record.period_months)


class DisciplineService(ModelService):
    model = Discipline
    fields = (
        "membership",
        "kind",
        "decided_on",
        "decided_by",
        "document",
        "reason",
        "period_months",
        "lifted_on",
    )
    references = {"membership": CHANGE}
    FIXED = {"membership", "kind"}
    FIXED_DAY = {K.DISMISSAL, K.EXPULSION}  # their effects were written on the day decided

    def check(self, items, scope, today=None):
        today = today or timezone.localdate()
        plan = Plan(list(items))
        self.build(plan)
        states = plan.extra["states"] = States([i.obj.membership_id for i in plan.items])
        bind_memberships(plan, states)
        self.validate(plan)
        self.check_scope(plan, scope)
        blocked = blocked_items(plan)
        ruled = [
            (index, item)
            for index, item in enumerate(plan.items)
            if index not in blocked and (item.is_new or item.changed)
        ]
        probations = self.probations(plan)
        for index, item in ruled:
            plan.problems += self.check_record(item, index, states, probations, today)
        refused = {p.item for p in plan.problems}
        ruled = [(index, item) for index, item in ruled if index not in refused]
        self.plan_effects(plan, ruled, states, probations, scope)
        plan.problems.sort(key=lambda p: (p.item is None, p.item or 0))
        return plan

    @staticmethod
    def probations(plan):
        """{membership pk: [留党察看 records as recorded]} of the memberships the batch names."""
        pks = sorted({i.obj.membership_id for i in plan.items if i.obj.membership_id})
        found = defaultdict(list)
        for chunk in chunked(pks):
            for record in Discipline.objects.filter(membership_id__in=chunk, kind=K.PROBATION).order_by(
                "decided_on", "pk"
            ):
                found[record.membership_id].append(record)
        return found

    def check_record(self, item, index, states, probations, today):
        record = item.obj
        strip(record, ("decided_by", "document", "reason"))
        found = []

        def say(message, field):
            found.append(Problem(message, index, field))

        if record.kind not in K.values:
            say(_("Choose the measure decided (党章第四十条)."), "kind")
            return found
        for name in ("decided_by", "document", "reason"):
            if not getattr(record, name):
                say(required(), name)
        membership = states.get(record.membership_id)
        if not item.is_new:
            if self.FIXED & set(item.changed):
                say(
                    _(
                        "The member and the measure of a record are not changed: record the right one, and delete this."
                    ),
                    "kind",
                )
                return found
            if record.kind in self.FIXED_DAY and "decided_on" in item.changed:
                say(
                    _(
                        "The effects of this measure were recorded on the day decided: that day is not changed."
                    ),
                    "decided_on",
                )
        elif states.state[membership.pk][2] is not None:  # ended, or ended by an earlier item of the batch
            status, _since, ended = states.state[membership.pk]
            say(
                _("This membership ended on %(date)s (%(status)s): no measure is recorded on it.")
                % {"date": ended.isoformat(), "status": MembershipStatus(status).label},
                "membership",
            )
            return found
        if record.decided_on is None:
            say(required(), "decided_on")
        elif record.decided_on > today:
            say(_("A measure is recorded once decided: the date is in the future."), "decided_on")
        elif record.decided_on < membership.admitted_on:
            say(
                _("The member was admitted on %(date)s: a measure cannot be decided before.")
                % {"date": membership.admitted_on.isoformat()},
                "decided_on",
            )
        if record.kind == K.PROBATION:
            found += probation_problems(item, index, probations.get(record.membership_id, []), today)
        else:
            if record.period_months is not None:
                say(_("Only 留党察看 has a period: leave it empty."), "period_months")
            if record.lifted_on is not None:
                say(_("Only a member under 留党察看 has their rights restored: leave it empty."), "lifted_on")
        if item.is_new and record.kind == K.EXPULSION and not found:
            pk, day = record.membership_id, record.decided_on
            found += states.check(
                pk, MembershipStatus.EXPELLED, day, index, via=DISCIPLINE, field="decided_on", today=today
            )
            if not found:  # the membership ends here: the batch's later items see it ended
                change = StatusChange(reason=_("Expelled from the Party by a disciplinary decision."))
                states.commit(pk, MembershipStatus.EXPELLED, day, change, via=DISCIPLINE)
        return found

    def plan_effects(self, plan, ruled, states, probations, scope):
        """What the valid records do: expulsions end their memberships, 撤销党内职务 ends the posts held, a 留党察看
        gives the membership its dates."""
        dismissals = []
        for index, item in ruled:
            record = item.obj
            if record.kind == K.DISMISSAL and item.is_new:
                dismissals.append((index, record))
            elif record.kind == K.PROBATION and is_latest(record, probations.get(record.membership_id, [])):
                membership = states.get(record.membership_id)
                membership.observation_from, membership.observation_until = (
                    record.decided_on,
                    record.lifted_on,
                )
                states.touch(record.membership_id)
        plan.extra["posts"] = self.plan_posts(plan, dismissals, scope)

    @staticmethod
    def plan_posts(plan, dismissals, scope):
        """The committee posts held on the day of each 撤销党内职务, ended that day (checked by their service)."""
        people = {r.membership.person_id for _i, r in dismissals}
        if not people:
            return None
        held = defaultdict(list)
        for chunk in chunked(sorted(people)):
            for post in CommitteePost.objects.filter(person_id__in=chunk).select_related(
                "organization", "person"
            ):
                held[post.person_id].append(post)
        items, where = [], []
        for index, record in dismissals:
            day = record.decided_on
            for post in held[record.membership.person_id]:
                if post.start_on < day and (post.end_on is None or post.end_on > day):
                    items.append(Item({"end_on": day}, instance=remember([post])[0]))
                    where.append(index)
        if not items:
            return None
        posts = POSTS.check(items, scope)
        for problem in posts.problems:
            plan.problems.append(
                Problem(
                    problem.message,
                    where[problem.item] if problem.item is not None else None,
                    "kind",
                    problem.missing,
                )
            )
        return posts

    def places(self, objs):
        return [("membership", None) for _obj in objs]  # where its membership lies: re-checked on writing

    def scope_paths(self, objs):
        return [o.membership.organization.path for o in objs]

    def apply(self, plan, write):
        super().apply(plan, write)
        plan.extra["states"].write(write)
        if plan.extra.get("posts") is not None:
            POSTS.apply(plan.extra["posts"], write)

    def delete(self, objs, *, by):
        objs = list(objs)
        with writing(by) as write:
            allowed = write.allowed(Discipline, DELETE, objs)
            problems = [
                Problem(outside_scope(), n, None, True) for n, o in enumerate(objs) if o.pk not in allowed
            ]
            problems += [
                Problem(
                    _(
                        "This measure's effects (the membership or the posts it ended) are recorded: it is not deleted."
                    ),
                    n,
                )
                for n, o in enumerate(objs)
                if o.pk in allowed and o.kind in self.FIXED_DAY
            ]
            if problems:
                raise RefusedError(problems)
            probation = [o for o in objs if o.kind == K.PROBATION]
            states = States([o.membership_id for o in probation])
            gone = {o.pk for o in objs}
            remaining = defaultdict(list)
            for chunk in chunked(sorted({o.membership_id for o in probation})):
                for record in (
                    Discipline.objects.filter(membership_id__in=chunk, kind=K.PROBATION)
                    .exclude(pk__in=gone)
                    .order_by("decided_on", "pk")
                ):
                    remaining[record.membership_id].append(record)
            for record in probation:
                membership = states.get(record.membership_id)
                if membership.observation_from != record.decided_on:
                    continue  # not the record the membership's dates come from
                latest = remaining[record.membership_id][-1] if remaining[record.membership_id] else None
                membership.observation_from = latest.decided_on if latest else None
                membership.observation_until = latest.lifted_on if latest else None
                states.touch(record.membership_id)
            super().delete(objs, by=by)
            states.write(write)


def is_latest(record, recorded):
    """Whether ``record`` is the membership's latest 留党察看 (the one its dates come from)."""
    others = [r for r in recorded if r.pk != record.pk]
    return all((r.decided_on, r.pk) < (record.decided_on, record.pk or float("inf")) for r in others)


def probation_problems(item, index, recorded, today):
    """留党察看: a period of 12 or 24 months; one open at a time; an extension from 12 to 24 months once, while
    open; the rights restored once the period has ended (党章第四十条)."""
    record, found = item.obj, []

    def say(message, field):
        found.append(Problem(message, index, field))

    if record.period_months not in PROBATION_MONTHS:
        say(
            _("留党察看 lasts one year or two (党章第四十条): give a period of 12 or 24 months."),
            "period_months",
        )
        return found
    others = [r for r in recorded if r.pk != record.pk]
    opened = [r for r in others if r.lifted_on is None]
    if item.is_new and opened:
        say(
            _(
                "This member is under 留党察看 already (decided on %(date)s): an extension is recorded on that "
                "record (its period from 12 to 24 months), not as a second one."
            )
            % {"date": opened[0].decided_on.isoformat()},
            "kind",
        )
    if not item.is_new and "period_months" in item.changed:
        before = item.instance._audit_loaded  # the record as loaded (the item changes the instance itself)
        if before["lifted_on"] is not None:
            say(
                _("The rights were restored on %(date)s: the period no longer changes.")
                % {"date": before["lifted_on"]},
                "period_months",
            )
        elif record.period_months < (before["period_months"] or 0):
            say(
                _(
                    "A period is not shortened: 留党察看 is extended once, from one year to two (党章第四十条)."
                ),
                "period_months",
            )
    end = probation_end(record)
    if record.lifted_on is not None and end is not None:
        if record.lifted_on > today:
            say(_("Rights are restored once decided: the date is in the future."), "lifted_on")
        elif record.lifted_on < end:
            say(
                _("The rights are restored when the period ends, on %(date)s or later (党章第四十条).")
                % {"date": end.isoformat()},
                "lifted_on",
            )
    return found


DISCIPLINE_RECORDS = DisciplineService()


def record_discipline(items, *, by):
    """Check and write a batch of disciplinary records (``Item``s) with their effects; the records written."""
    return DISCIPLINE_RECORDS.save(items, by=by)


def lift_discipline(record, lifted_on, *, by):
    """Restore the rights of a member under 留党察看 (恢复党员权利) on ``lifted_on``."""
    if lifted_on is None:
        raise RefusedError([Problem(required(), 0, "lifted_on")])
    remember([record])
    return DISCIPLINE_RECORDS.save([Item({"lifted_on": lifted_on}, instance=record)], by=by)[0]


def delete_discipline(objs, *, by):
    DISCIPLINE_RECORDS.delete(objs, by=by)


def probation_due(queryset, today):
    """The 留党察看 records of ``queryset`` whose period has ended by ``today`` with no restoration recorded."""
    ended = Q()
    for months in PROBATION_MONTHS:
        ended |= Q(period_months=months, decided_on__lte=add_months(today, -months))
    return queryset.filter(kind=K.PROBATION, lifted_on__isnull=True).filter(ended)


def observation_note(membership, today=None):
    """The effect a person's page may show to anyone who sees the membership — never the record itself:
    "under 留党察看 since …" (no vote, may not introduce), or None."""
    today = today or timezone.localdate()
    if not under_observation(membership, today):
        return None
    return _(
        "Under 留党察看 since %(date)s: no vote, no election, may not introduce an applicant (党章第七条；"
        "发展党员工作细则第十四条)."
    ) % {"date": membership.observation_from.isoformat()}


__all__ = [
    "AWARDS",
    "DISCIPLINE_RECORDS",
    "delete_awards",
    "delete_discipline",
    "lift_discipline",
    "observation_note",
    "probation_due",
    "record_awards",
    "record_discipline",
]
