"""Writes on schools, the organization tree, start-up funds and their standards. Batch-first: the forms,
the API, the 学校 and 党组织 sheets, ``createorg`` and the demo call these with a batch (a single record is a
batch of one); each checks, then writes in bulk with its audit records, inside the write path.

New organizations get their materialized paths here, computed in Python as treebeard would: appended
after the last child of their parent, so that no recorded organization's path changes (lists order
siblings by code). A move (``change_affiliation``) goes through treebeard's ``move`` and records the path
of every organization it moved.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Max, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from redengine.core.audit import bulk_create_audited, bulk_update_audited, insert_records, set_many_audited
from redengine.core.codes import DISTRICTS, district_name
from redengine.core.models import ObjectChange
from redengine.core.services import ADD, CHANGE, Item, ModelService
from redengine.core.writes import Problem, RefusedError, chunked, lies_with, outside_scope, writing

from . import rules
from .models import AffiliationChange, GrantStandard, PartyOrganization, School, SchoolPlace, StartupGrant

STEP = PartyOrganization.steplen


def district_paths():
    """{district code: path of its bureau's organization}, in one query."""
    return dict(PartyOrganization.objects.exclude(district="").values_list("district", "path"))


def root_path():
    """The path of the root (the parentless organization), where a school no organization and no bureau
    holds lies; None before the root is made."""
    return PartyOrganization.objects.filter(depth=1).order_by("path").values_list("path", flat=True).first()


def places_of(schools):
    """[[SchoolPlace]] per school, in order (``(pk, district)`` pairs; pk None for a school not recorded
    yet): where each lies in the tree, with the days each place holds — a covering organization from its
    founding date (always, if undated); the district's bureau, else the root, for a school no organization
    covers, or until the first of its covering organizations is founded when all of them are dated. One
    query per 5,000 schools, and two."""
    covering = defaultdict(list)
    through = PartyOrganization.schools.through
    for chunk in chunked(sorted({pk for pk, _district in schools if pk})):
        rows = through.objects.filter(school_id__in=chunk).values_list(
            "school_id", "partyorganization__path", "partyorganization__founded_on"
        )
        for pk, path, founded in rows:
            covering[pk].append((path, founded))
    bureaus, root = district_paths(), root_path()
    found = []
    for pk, district in schools:
        cover = covering.get(pk, []) if pk else []
        places = [SchoolPlace(school_id=pk, path=path, valid_from=founded) for path, founded in cover]
        fallback = bureaus.get(district, root)
        if fallback is not None and not cover:
            places.append(SchoolPlace(school_id=pk, path=fallback))
        elif fallback is not None and all(founded is not None for _path, founded in cover):
            first = min(founded for _path, founded in cover)
            places.append(SchoolPlace(school_id=pk, path=fallback, valid_until=first))
        found.append(places)
    return found


def school_places(schools):
    """{id(school): [paths]}: where each school (recorded or new) lies in the tree today, as
    ``school_scope_q`` reads it: with the organizations covering it, else with its district's bureau
    organization, else with the root."""
    found = places_of([(school.pk, school.district) for school in schools])
    return {
        id(school): [p.path for p in places if p.valid_until is None]
        for school, places in zip(schools, found, strict=True)
    }


def place_rows(schools):
    """[SchoolPlace] of recorded schools (``(pk, district)`` pairs): the rows ``refresh_places`` stores."""
    return [place for places in places_of(schools) for place in places]


def refresh_places(school_pks=None):
    """Rewrite the placements (``SchoolPlace``) of the schools ``school_pks`` (every school when None), in
    bulk: called by every write that changes where a school lies, inside its transaction, before the write
    path re-checks the scope of what it wrote."""
    if school_pks is None:
        school_pks = School.objects.values_list("pk", flat=True)
    for chunk in chunked(sorted(set(school_pks))):
        schools = list(School.objects.filter(pk__in=chunk).values_list("pk", "district"))
        SchoolPlace.objects.filter(school_id__in=chunk).delete()
        SchoolPlace.objects.bulk_create(place_rows(schools), batch_size=5000)


def schools_placed_by(orgs, districts=()):
    """The pks of the schools the organizations ``orgs`` cover and of every school of ``districts`` (whose
    uncovered schools lie with the district's bureau)."""
    pks = set()
    if orgs:
        pks |= set(School.objects.filter(organizations__in=[o.pk for o in orgs]).values_list("pk", flat=True))
    if districts:
        pks |= set(School.objects.filter(district__in=districts).values_list("pk", flat=True))
    return pks


@lies_with(PartyOrganization)
def covered_schools(pks):
    """The schools an organization covers lie where it lies (and their people with them)."""
    return [(School, School.objects.filter(organizations__in=pks))]


# 学校 ------------------------------------------------------------------------------------------------
class SchoolService(ModelService):
    model = School
    fields = (
        "code",
        "name",
        "district",
        "ownership",
        "school_type",
        "urban_rural",
        "city_managed",
        "staff_headcount",
    )
    unique = (("code",),)

    def check_places(self, plan, scope):
        """An uncovered school lies with its district's bureau (or the root, when none serves it): a new school, or one moved to another district,
        must go to a district where the writer may add or change schools."""
        if scope.whole_tree:
            return
        bureaus, root = district_paths(), root_path()
        for index, item in enumerate(plan.items):
            if not (item.is_new or "district" in item.changed):
                continue
            bureau = bureaus.get(item.obj.district, root)
            if bureau is None or not scope.path_allowed(School, item.action, bureau):
                message = (
                    _(
                        "You may not add a school in %(district)s: it lies outside your scope. That district's "
                        "administrator or the city administrator can add it."
                    )
                    if item.is_new
                    else _(
                        "You may not move a school to %(district)s: it lies outside your scope. That "
                        "district's administrator or the city administrator can move it."
                    )
                )
                problem = Problem(message % {"district": district_name(item.obj.district)}, index, "district")
                plan.problems.append(problem)

    def apply(self, plan, write):
        super().apply(plan, write)
        placed = [i.obj.pk for i in plan.items if i.is_new or "district" in i.changed]
        if placed:
            refresh_places(placed)

    def expect(self, plan, write):
        super().expect(plan, write)
        write.moved(School, [i.obj for i in plan.changed if "district" in i.changed])


# 党组织 -----------------------------------------------------------------------------------------------
class OrganizationService(ModelService):
    """Organizations: new ones under a parent (recorded, or new in the same batch), changes of their
    fields and of the schools they cover. A change of parent is an affiliation change, not an edit; the
    root is made once, by a command acting for the whole tree."""

    model = PartyOrganization
    fields = (
        "code",
        "name",
        "org_type",
        "parent",
        "founded_on",
        "last_election_on",
        "term_years",
        "schools",
        "district",
        "election_postponed_to",
        "postponement_approved_on",
        "postponement_approved_by",
        "approves_admissions",
        "party_groups",
    )
    references = {"schools": CHANGE}
    unique = (("code",), ("district",))

    def build(self, plan):
        parents = plan.extra["parents"] = {}
        given = {}
        for index, item in enumerate(plan.items):
            if "parent" in item.values:
                given[index] = item.values.pop("parent")
        super().build(plan)
        current = parent_codes([i.obj for i in plan.items if not i.is_new])
        for index, parent in given.items():
            item = plan.items[index]
            if item.is_new:
                parents[index] = parent
            elif parent is None and current[item.obj.pk] is not None:
                message = _("The parent organization is required (only the root has none).")
                plan.problems.append(Problem(message, index, "parent"))
            elif (parent.code if parent is not None else None) != current[item.obj.pk]:
                message = _(
                    "This organization is recorded under %(parent)s. Moving it is an affiliation change, "
                    "made on the organization's page, not here."
                ) % {"parent": current[item.obj.pk] or "—"}
                plan.problems.append(Problem(message, index, "parent"))

    def derive(self, plan, item, index):
        org = item.obj
        approved = org.postponement_approved_on
        if approved and org.last_election_on and org.last_election_on >= approved:
            # An election held since the postponement was approved: the postponement is spent (the trail
            # keeps it).
            org.election_postponed_to, org.postponement_approved_on = None, None
            org.postponement_approved_by = ""
        org.election_due_on = rules.election_due(
            org.org_type, org.last_election_on, org.founded_on, org.term_years, org.election_postponed_to
        )

    def validate(self, plan):
        super().validate(plan)
        today = timezone.localdate()
        self.validate_district(plan)
        for index, item in enumerate(plan.items):
            if (
                item.obj.last_election_on
                and item.obj.last_election_on > today
                and "last_election_on" in item.changed
            ):
                message = _("The date of the last election cannot be in the future.")
                plan.problems.append(Problem(message, index, "last_election_on"))

    def validate_district(self, plan):
        """所辖区县: a district of the city (or 430100 for the city bureau)."""
        for index, item in enumerate(plan.items):
            district = item.obj.district or ""
            if not district or not (item.is_new or "district" in item.changed):
                continue
            if district not in DISTRICTS:
                message = _(
                    "%(value)s is not a district of the city: give its GB/T 2260 code or name "
                    "(430100 or 市直 for the city bureau)."
                ) % {"value": district}
                plan.problems.append(Problem(message, index, "district"))

    def duplicate_message(self, names):
        if tuple(names) == ("district",):
            return _("That district already has its bureau organization.")
        return super().duplicate_message(names)

    def check_scope(self, plan, scope):
        plan.extra["anchors"] = self.settle_parents(plan, scope)
        super().check_scope(plan, scope)
        self.check_uncovered(plan, scope)
        self.check_district(plan, scope)

    def check_district(self, plan, scope):
        """Serving a district takes its uncovered schools (and their people) from where they lie now, its
        former bureau's organization or the root: the writer must be able to change them there."""
        if scope.whole_tree:
            return
        places = district_paths()
        root = root_path()
        for index, item in enumerate(plan.items):
            district = item.obj.district or ""
            if not district or not (item.is_new or "district" in item.changed):
                continue
            place = places.get(district, root)
            if place is not None and not scope.path_allowed(School, CHANGE, place):
                plan.problems.append(Problem(_("No such record in your scope."), index, "district"))

    def settle_parents(self, plan, scope):
        """{item index: path of the nearest recorded ancestor} of the new organizations. Every new one has a
        parent, recorded or new in the batch (only a first root, made for the whole tree, has none), and
        no chain of new parents loops."""
        parents, anchors = plan.extra["parents"], {}
        index_of = {id(item.obj): index for index, item in enumerate(plan.items) if item.is_new}
        root = PartyOrganization.objects.filter(depth=1).order_by("path").first()
        for index, item in enumerate(plan.items):
            if not item.is_new:
                continue
            if parents.get(index) is None:
                if root is None and scope.whole_tree:
                    root = item.obj  # the first parentless row of an empty installation is its root
                    continue
                if root is None or not scope.path_allowed(PartyOrganization, "view", root.path):
                    message = _("The parent organization is required (only the root has none).")
                else:
                    message = _(
                        "The tree already has its root, %(name)s (%(code)s): only the root has no parent "
                        "organization. Give this organization's parent."
                    ) % {"name": root.name, "code": root.code}
                plan.problems.append(Problem(message, index, "parent"))
                continue
            chain, node = [index], parents[index]
            while node is not None and not node.pk:
                at = index_of.get(id(node))
                if at is None or at in chain:
                    if at is not None:
                        shown = " → ".join(plan.items[n].obj.code for n in [*chain, at])
                        message = _("The parent organizations form a cycle: %(cycle)s.") % {"cycle": shown}
                        plan.problems.append(Problem(message, index, "parent"))
                    node = None
                    break
                chain.append(at)
                node = parents.get(at)
            if node is not None:
                anchors[index] = node.path
        return anchors

    def check_places(self, plan, scope):
        """A new organization goes under a parent where the writer may add organizations."""
        if scope.whole_tree:
            return
        for index, anchor in plan.extra["anchors"].items():
            if not scope.path_allowed(PartyOrganization, ADD, anchor):
                parent = plan.extra["parents"][index]
                message = _(
                    "You may not add an organization under %(parent)s: it lies outside your scope. An "
                    "administrator whose scope holds it, or the city administrator, can add it."
                )
                plan.problems.append(Problem(message % {"parent": parent.code}, index, "parent"))

    def check_uncovered(self, plan, scope):
        """A school the write stops covering leaves the organization's place: the writer must be able to
        change it (else the school and its people would move out of the writer's reach)."""
        removed = {}
        for index, item in enumerate(plan.items):
            if not item.is_new and "schools" in item.changed:
                after = {s.pk for s in item.many["schools"]}
                gone = set(self.current_many(item.obj, "schools")) - after
                if gone:
                    removed[index] = gone
        named = {pk for pks in removed.values() for pk in pks}
        allowed = scope.allowed(School, CHANGE, named, through=(PartyOrganization, CHANGE))
        for index, pks in removed.items():
            if pks - allowed:
                plan.problems.append(Problem(_("No such record in your scope."), index, "schools"))

    def apply(self, plan, write):
        covering = [i for i in plan.items if "schools" in i.many and (i.is_new or "schools" in i.changed)]
        touched = set()
        for item in covering:
            touched |= {s.pk for s in item.many["schools"]} | set(self.current_many(item.obj, "schools"))
        # The districts organizations stop serving, read before the write replaces the values loaded.
        left = {i.obj._audit_loaded.get("district") for i in plan.changed if "district" in i.changed}
        left -= {"", None}
        plain = [i for i in plan.changed if set(i.changed) - {"schools"}]
        if plain:
            names = sorted({n for i in plain for n in i.changed if n != "schools"})
            bulk_update_audited(
                PartyOrganization, [i.obj for i in plain], names, scope_paths=[i.obj.path for i in plain]
            )
        if plan.new:
            self.create(plan)
        if covering:
            set_many_audited(PartyOrganization, "schools", [(i.obj, i.many["schools"]) for i in covering])
        self.refresh_places(plan, touched, left)
        write.expect(PartyOrganization, ADD, [i.obj for i in plan.new])
        write.expect(PartyOrganization, CHANGE, [i.obj for i in plan.changed])
        if left:  # the uncovered schools of a district no longer served fall to the root
            uncovered = School.objects.filter(district__in=left, organizations__isnull=True)
            write.moved(School, list(uncovered.values_list("pk", flat=True)))
        if touched:  # the schools covered, and no longer covered, may have moved: they and their people
            write.refer(School, CHANGE, touched, field="schools", through=(PartyOrganization, CHANGE))
            write.moved(School, touched, field="schools")

    def refresh_places(self, plan, touched, left):
        """Rewrite the placements of the schools whose place the write changed: those covered or no longer
        covered, those covered by an organization whose founding date changed, and every school of a
        district that gained or lost its bureau. A new root places every school no bureau holds."""
        if any(i.is_new and i.obj.depth == 1 for i in plan.items):
            refresh_places()
            return
        dated = [i.obj for i in plan.changed if "founded_on" in i.changed]
        districts = {i.obj.district for i in plan.items if "district" in i.changed or i.is_new} | left
        schools = set(touched) | schools_placed_by(dated, districts - {"", None})
        if schools:
            refresh_places(schools)

    def delete_one(self, obj, index):
        placed = schools_placed_by([obj], {obj.district} - {""})
        super().delete_one(obj, index)
        refresh_places(placed)

    def create(self, plan):
        """New organizations with their paths, appended after their parent's last child, in bulk; a first
        root through ``add_root``."""
        parents = plan.extra["parents"]
        children, by_id = defaultdict(list), {}
        for index, item in enumerate(plan.items):
            if not item.is_new:
                continue
            item.obj.numchild = 0
            parent = parents.get(index)
            if parent is None:
                PartyOrganization.objects.add_root(instance=item.obj)  # audited by its save()
                continue
            children[id(parent)].append(item.obj)
            by_id[id(parent)] = parent
        recorded = [by_id[key] for key in children if by_id[key].pk]
        last_paths = last_children(recorded)
        created, grown = [], []
        queue = list(recorded)
        while queue:
            parent = queue.pop()
            appended = children.get(id(parent), [])
            if not appended:
                continue
            last = last_paths.get(parent.pk) if parent.pk else None
            step = PartyOrganization._str2int(last[-STEP:]) if last else 0
            for number, org in enumerate(appended, start=step + 1):
                org.depth = parent.depth + 1
                org.path = PartyOrganization._get_path(parent.path, org.depth, number)
                org.numchild = len(children.get(id(org), []))
                created.append(org)
                queue.append(org)
            if parent.pk:
                parent.numchild += len(appended)
                grown.append(parent)
        if created:
            bulk_create_audited(PartyOrganization, created, scope_paths=[org.path for org in created])
        if grown:  # tree bookkeeping, as treebeard keeps it (not a change of the record)
            PartyOrganization.objects.bulk_update(grown, ["numchild"], batch_size=2000)


def parent_codes(orgs):
    """{pk: the parent's code (None for a root)} of recorded organizations, in one query per 5,000."""
    wanted = {org.path[:-STEP] for org in orgs if org.depth > 1}
    codes = {}
    for chunk in chunked(sorted(wanted)):
        codes.update(PartyOrganization.objects.filter(path__in=chunk).values_list("path", "code"))
    return {org.pk: codes.get(org.path[:-STEP]) if org.depth > 1 else None for org in orgs}


def last_children(parents):
    """{parent pk: the path of its last child} for recorded organizations, in one query per 5,000."""
    found = {}
    for chunk in chunked(sorted({p.path: p for p in parents})):
        rows = (
            PartyOrganization.objects.annotate(parent_path=Substr("path", 1, Length("path") - STEP))
            .filter(parent_path__in=chunk)
            .values("parent_path")
            .annotate(last=Max("path"))
            .values_list("parent_path", "last")
        )
        found.update(rows)
    by_path = {p.path: p.pk for p in parents}
    return {by_path[path]: last for path, last in found.items()}


# Affiliation changes ---------------------------------------------------------------------------------
@dataclass
class Move:
    """An affiliation change (隶属关系调整): ``organization`` and its subtree under ``new_parent``."""

    organization: PartyOrganization
    new_parent: PartyOrganization
    changed_on: object
    document_number: str = ""


def change_affiliation(moves, *, by):
    """Move each organization and its whole subtree under its new parent (隶属关系调整); the history stays.

    treebeard rewrites the paths of the subtree; every moved organization gets a change record of its
    path, written in bulk, so the trail shows where each one was. The writer needs ``change`` on the
    organization and ``add`` under the new parent, and the subtree (with the schools it covers and their
    people) must still lie in the writer's scope afterwards."""
    moves = list(moves)
    with writing(by) as write:
        problems = check_moves(moves, write)
        if problems:
            raise RefusedError(problems)
        changes = []
        for move in moves:
            changes.append(apply_move(move, write))
        bulk_create_audited(AffiliationChange, changes, scope_paths=[c.organization.path for c in changes])
    return changes


def check_moves(moves, scope):
    problems = []
    may_change = scope.allowed(PartyOrganization, CHANGE, [m.organization for m in moves])
    may_add = scope.allowed(
        PartyOrganization, ADD, [m.new_parent for m in moves], through=(PartyOrganization, CHANGE)
    )
    for index, move in enumerate(moves):
        org, parent = move.organization, move.new_parent
        if org.pk not in may_change:
            problems.append(Problem(outside_scope(), index, None, True))
            continue
        if parent.pk not in may_add:
            problems.append(Problem(_("No organization in your scope has this code."), index, "new_parent"))
        elif parent.path.startswith(org.path):
            problems.append(
                Problem(
                    _("An organization cannot be moved under itself or its own subtree."), index, "new_parent"
                )
            )
        elif org.depth > 1 and org.path[:-STEP] == parent.path:
            problems.append(Problem(_("The organization is already under that parent."), index, "new_parent"))
        if move.changed_on and move.changed_on > timezone.localdate():
            problems.append(Problem(_("The date cannot be in the future."), index, "changed_on"))
    return problems


def apply_move(move, write):
    org = PartyOrganization.objects.select_for_update().get(pk=move.organization.pk)
    old_parent = PartyOrganization.objects.get_parent(org) if org.depth > 1 else None
    before = dict(PartyOrganization.objects.filter(path__startswith=org.path).values_list("pk", "path"))
    PartyOrganization.objects.move(org, move.new_parent, "last-child")
    org.refresh_from_db()
    moved = PartyOrganization.objects.filter(pk__in=before).values_list("pk", "path", "name")
    insert_records(
        PartyOrganization,
        [
            (ObjectChange.Action.UPDATE, pk, name, {"path": before[pk]}, {"path": path}, ["path"], path)
            for pk, path, name in moved
        ],
    )
    write.moved(PartyOrganization, before)
    # The schools placed by the subtree move with it: their places' paths get the new prefix.
    old_prefix = before[org.pk]
    SchoolPlace.objects.filter(path__under=old_prefix).update(
        path=Concat(Value(org.path), Substr("path", len(old_prefix) + 1))
    )
    move.organization.path, move.organization.depth = org.path, org.depth
    return AffiliationChange(
        organization=org,
        old_parent=old_parent,
        new_parent=move.new_parent,
        changed_on=move.changed_on,
        document_number=move.document_number,
    )


@dataclass
class Reception:
    """An organization received into the education system from outside it (接收基层党组织)."""

    parent: PartyOrganization
    old_parent_name: str
    changed_on: object
    values: dict
    document_number: str = ""


def receive_organizations(receptions, *, by):
    """Create each organization under its parent, with the affiliation change that says where it came from."""
    receptions = list(receptions)
    with writing(by) as write:
        items = [Item({**r.values, "parent": r.parent}) for r in receptions]
        plan = ORGANIZATIONS.check(items, write)
        problems = list(plan.problems)
        for index, reception in enumerate(receptions):
            if not reception.old_parent_name.strip():
                problems.append(Problem(_("Name the organization it came from."), index, "old_parent_name"))
            if reception.changed_on and reception.changed_on > timezone.localdate():
                problems.append(Problem(_("The date cannot be in the future."), index, "changed_on"))
        if problems:
            raise RefusedError(problems)
        ORGANIZATIONS.apply(plan, write)
        changes = [
            AffiliationChange(
                organization=item.obj,
                old_parent=None,
                old_parent_name=reception.old_parent_name.strip(),
                new_parent=reception.parent,
                changed_on=reception.changed_on,
                document_number=reception.document_number,
            )
            for item, reception in zip(items, receptions, strict=True)
        ]
        bulk_create_audited(AffiliationChange, changes, scope_paths=[c.organization.path for c in changes])
    return [item.obj for item in items]


# Start-up funds and their standards -------------------------------------------------------------------
class StartupGrantService(ModelService):
    model = StartupGrant
    fields = ("organization", "amount", "approved_on", "paid_on")


class GrantStandardService(ModelService):
    model = GrantStandard
    fields = ("org_type", "valid_from", "amount")
    unique = (("org_type", "valid_from"),)


class AffiliationChangeService(ModelService):
    """The record of an affiliation change already made (an organization received before its records came
    into the system: the demo city). A move is ``change_affiliation``; a reception ``receive_organizations``."""

    model = AffiliationChange
    fields = ("organization", "old_parent", "old_parent_name", "new_parent", "changed_on", "document_number")


SCHOOLS = SchoolService()
ORGANIZATIONS = OrganizationService()
GRANTS = StartupGrantService()
STANDARDS = GrantStandardService()
AFFILIATIONS = AffiliationChangeService()

save_schools = SCHOOLS.save
save_organizations = ORGANIZATIONS.save
save_grants = GRANTS.save
save_standards = STANDARDS.save
