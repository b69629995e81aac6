"""The permission matrix of transfers (组织关系转接; see redengine.testing.matrix): the list, its export, a
transfer's page, the forms that start one (within the system, a letter out, a letter in), each move's
confirmation page and form, the letter's Word document, the person picker, and every route of
``/api/people/transfers/``.

The sample transfers sit in four places of the demo tree (the secretary's own school, a sibling school of the
same district, another district, a city-direct school), each going from an organization of its place to another
of the same place, in the state each move starts from: sent (accept, refuse, cancel, and the transfer's own
pages and API), requested by the receiving side (the sending side's release), proposed by a change of school
(the receiving side's request) and a letter issued out of the system (its return slip, its issue again, its
Word document). Each case's ``setup`` makes them with the real services for each test. A move is the action of
the roles that own it (``Transfer.role_actions``) made from the side it belongs to: a role without it answers
403; a transfer whose side of the move lies outside the user's scope answers 404 as one that does not exist;
a move done leaves exactly the transfer's change, its move's record and what the move changes (the membership,
the person's school), in the actor's name."""

from dataclasses import dataclass

from redengine.core.audit import remember
from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.membership.models import Transfer
from redengine.membership.services import transfers as services
from redengine.orgs.models import PartyOrganization, School
from redengine.people.models import Person
from redengine.people.services import PEOPLE
from redengine.testing.matrix import (
    Action,
    ApiCreate,
    ApiDetail,
    ApiList,
    Confirm,
    Create,
    Detail,
    Export,
    ListPage,
    Needs,
    Page,
    ScopedCase,
    Trail,
    View,
    api_path,
    build_matrix,
)

from .transfer_helpers import days_ago

# position -> (person, from organization, to organization, new school or None): a transfer within the place
PLACES = {
    "own": ("梅溪湖张老师", "CS430104-02-01", "CS430104-02-02", None),
    "sibling": ("麓山赵老师", "CS430104-01", "CS430104-03", "4301040003"),
    "other_district": ("芙蓉周老师", "CS430102-01", "CS430102-02-01", "4301020002"),
    "city": ("一中郑老师", "CS430100-01-01", "CS430100-01-02", None),
}
NAMES = {position: place[0] for position, place in PLACES.items()}
MOVE = {("transfer", "update"): 1, ("transfermove", "create"): 1}


def org(code):
    return PartyOrganization.objects.get(code=code)


def find(name):
    return (
        Transfer.objects.filter(person__name=name)
        .select_related("from_organization", "to_organization")
        .latest("pk")
    )


def owners(transfer):
    return [o for o in (transfer.from_organization, transfer.to_organization) if o is not None]


def sending(transfer):
    return [transfer.from_organization]


def receiving(transfer):
    return [transfer.to_organization]


def side(organizations, move):
    """Whether the run's user holds ``move`` on the side the organizations of the subject are."""
    return lambda run: run.case.owners_in_scope(run.user, organizations(run.subject), move)


def status_is(status):
    return lambda t: Transfer.objects.get(pk=t.pk).status == status


def sample_sent():
    services.start_transfers(
        [
            services.Start(
                Person.objects.get(name=name),
                org(to_code),
                days_ago(10),
                to_school=School.objects.get(code=school) if school else None,
                side="sending",
            )
            for name, _from, to_code, school in PLACES.values()
        ],
        by=SYSTEM,
    )


def sample_requested():
    services.start_transfers(
        [
            services.Start(
                Person.objects.get(name=name),
                org(to_code),
                days_ago(10),
                to_school=School.objects.get(code=school) if school else None,
                side="receiving",
            )
            for name, _from, to_code, school in PLACES.values()
        ],
        by=SYSTEM,
    )


# A school change proposes a transfer only to another school's organization: three places have two schools.
PROPOSED = {
    "sibling": ("麓山赵老师", "4301040003"),  # 麓山 → 莲花 (CS430104-01 → CS430104-03)
    "other_district": ("芙蓉周老师", "4301020002"),  # 朝阳路 → 育英 (CS430102-01 → CS430102-02)
    "city": ("一中郑老师", "4301000002"),  # 一中 → 博雅 (CS430100-01-01 → CS430100-02)
}


def sample_proposed():
    people = [remember([Person.objects.get(name=name)])[0] for name, _school in PROPOSED.values()]
    PEOPLE.save(
        [
            Item({"school": School.objects.get(code=school)}, instance=person)
            for person, (_name, school) in zip(people, PROPOSED.values(), strict=True)
        ],
        by=SYSTEM,
    )


def sample_letters():
    services.issue_letters(
        [
            services.LetterOut(Person.objects.get(name=name), "中共北京市海淀区教育工作委员会", days_ago(20))
            for name, *_rest in PLACES.values()
        ],
        by=SYSTEM,
    )


def accepted_records(transfer):
    records = {**MOVE, ("membership", "update"): 1}
    if transfer.to_school_id:
        records[("person", "update")] = 1
    return records


@dataclass
class ApiMove(View):
    """POST a move's route (``transfers/{id}/accept/``): 403 for a role without the move; 404 for a transfer
    whose side of the move is outside the scope, as for a missing id; else 200, the move done, and exactly its
    change records."""

    body: object = None  # subject -> the JSON body
    done: object = None
    scope: object = None
    records: object = None

    method = "post"
    kind = "api_move"

    def check(self, run):
        obj, user = run.subject, run.user
        reachable = obj is not None and self.scope(run)
        trail = Trail()
        response = run.api("post", api_path(self.url, obj), self.body(obj) if obj is not None else {})
        if not run.allowed:
            trail.assert_refused(response, user, self.action)
        elif not reachable:
            assert response.status_code == 404, response.content[:300]
            trail.assert_nothing_written()
        else:
            assert response.status_code == 200, response.content[:300]
            assert self.done(obj)
            trail.assert_records(user, self.records(obj))
            return
        if obj is not None:
            assert not self.done(obj)


def move_views(move, body, done, organizations, records=lambda t: MOVE, confirm=True):
    """A move's confirmation page, its form posted, and its API route."""
    scope = side(organizations, move)
    found = [
        Action(
            f"membership:transfer_{move}",
            action=move,
            data=lambda t: {"date": days_ago(0).isoformat(), **body(t)},
            scope=scope,
            done=done,
            records=records,
        ),
        ApiMove(f"transfer-{move}", action=move, body=body, done=done, scope=scope, records=records),
    ]
    if confirm:
        found.append(
            Confirm(
                f"membership:transfer_{move}",
                label="confirm",
                action=move,
                scope=scope,
                says=lambda t: t.person.name,
                done=done,
            )
        )
    return found


def transfer_case(name, setup, views, positions=None):
    return ScopedCase(
        name=name,
        model=Transfer,
        positions=positions or NAMES,
        find=find,
        owners=owners,
        setup=setup,
        views=views,
    )


def person_name(transfer):
    return transfer.person.name


SENT = transfer_case(
    "transfer",
    sample_sent,
    [
        ListPage("membership:transfer_list", query={}, text=person_name),
        Export("membership:transfer_list", text=person_name),
        Detail("membership:transfer_detail"),
        Page("membership:transfer_person_suggest", label="picker"),
        ApiList("transfer-list"),
        ApiDetail("transfer-detail"),
        *move_views(
            "accept", lambda t: {"note": "同意接收"}, status_is("accepted"), receiving, accepted_records
        ),
        *move_views("reject", lambda t: {"note": "尚未到岗"}, status_is("rejected"), receiving),
        *move_views("cancel", lambda t: {"note": "调动取消"}, status_is("cancelled"), sending, confirm=False),
    ],
)
REQUESTED = transfer_case(
    "transfer_requested",
    sample_requested,
    move_views("send", lambda t: {}, status_is("accepted"), sending, accepted_records),
)
PROPOSALS = transfer_case(
    "transfer_proposed",
    sample_proposed,
    move_views("request", lambda t: {}, status_is("requested"), receiving),
    positions={position: name for position, (name, _school) in PROPOSED.items()},
)


def received_records(transfer):
    return {**MOVE, ("membership", "update"): 1, ("person", "update"): 1}


def reissued(transfer):
    return Transfer.objects.get(pk=transfer.pk).status == "cancelled" and (
        Transfer.objects.filter(person=transfer.person_id, status="issued").exists()
    )


LETTERS = transfer_case(
    "transfer_letter",
    sample_letters,
    [
        *move_views("receipt", lambda t: {}, status_is("received"), sending, received_records),
        Detail("membership:transfer_letter", logs="export", label="docx"),
        Action(
            "membership:transfer_reissue",
            action="issue",
            data=lambda t: {"date": days_ago(0).isoformat(), "note": "逾期重开"},
            scope=side(sending, "issue"),
            done=reissued,
            records=lambda t: {
                ("transfer", "update"): 1,
                ("transfer", "create"): 1,
                ("transfermove", "create"): 2,
            },
        ),
        Confirm(
            "membership:transfer_reissue",
            label="confirm",
            action="issue",
            scope=side(sending, "issue"),
            says=lambda t: t.letter_number,
            done=reissued,
        ),
    ],
)


# Starting: a transfer within the system, a letter out, a letter in --------------------------------------
@dataclass(frozen=True)
class Newcomer:
    """Who a new transfer names, and where: the person, their organization, the one that receives them."""

    name: str
    here: str
    there: str
    school: str | None = None

    @property
    def person(self):
        return Person.objects.get(name=self.name)

    def organizations(self):
        return [org(self.here)]

    def receivers(self):
        return [org(self.there)]

    def school_owners(self):
        school = self.person.school
        return list(school.organizations.all()) or list(
            PartyOrganization.objects.filter(district=school.district)
        )


STARTS = {
    "own": Newcomer("梅溪湖李老师", "CS430104-02-02", "CS430104-02-01"),
    "sibling": Newcomer("刘卫东", "CS430104-01", "CS430104-03", "4301040003"),
    "other_district": Newcomer("芙蓉周老师", "CS430102-01", "CS430102-02-01", "4301020002"),
    "city": Newcomer("一中郑老师", "CS430100-01-01", "CS430100-01-02"),
}
INS = {  # people without a membership, and the organization of their school that receives a letter for them
    "own": Newcomer("梅溪湖陈老师", "", "CS430104-02-01"),
    "sibling": Newcomer("麓山钱老师", "", "CS430104-01"),
    "other_district": Newcomer("芙蓉吴老师", "", "CS430102-01"),
}
STARTED = {("transfer", "create"): 1, ("transfermove", "create"): 1}
RECEIVED = {**STARTED, ("membership", "create"): 1, ("person", "update"): 1}


def started(kind):
    return lambda n: Transfer.objects.filter(person__name=n.name, kind=kind)


SEND_FROM = Needs(lambda n: n.organizations(), action="send", field="person")
ISSUE_FROM = Needs(lambda n: n.organizations(), action="issue", field="person")
PERSON_IN_SCOPE = Needs(lambda n: n.school_owners(), action="view", model=Person, field="person")
ACCEPT_AT = Needs(lambda n: n.receivers(), action="accept", field="to_organization")


def start_data(n):
    return {
        "person": n.person.pk,
        "to_organization": n.there,
        "to_school": n.school or "",
        "reason": "job",
        "started_on": days_ago(1).isoformat(),
        "side": "",
        "note": "",
    }


def letter_out_data(n):
    return {
        "person": n.person.pk,
        "outside_organization": "中共上海市教育卫生工作委员会",
        "letter_number": "",
        "issued_on": days_ago(1).isoformat(),
        "reason": "job",
        "note": "",
    }


def letter_in_data(n):
    return {
        "person": n.person.pk,
        "to_organization": org(n.there).pk,
        "outside_organization": "中共株洲市教育局委员会",
        "letter_number": f"株教转-{n.name}",
        "received_on": days_ago(1).isoformat(),
        "admitted_on": "2018-06-30",
        "full_on": "2019-06-30",
        "reason": "job",
        "note": "",
    }


def letter_in_body(n):
    data = letter_in_data(n)
    return {**data, "kind": "in", "to_organization": n.there, "date": data["received_on"]}


START = ScopedCase(
    name="transfer_start",
    model=Transfer,
    positions=NAMES,
    owners=owners,
    views=[
        Page("membership:transfer_add", action="add", label="form"),
        Create(
            "membership:transfer_add",
            places=STARTS,
            needs=[SEND_FROM],
            data=start_data,
            created=started("within"),
            records=lambda n: STARTED,
        ),
        ApiCreate(
            "transfer-list",
            places=STARTS,
            needs=[SEND_FROM],
            body=lambda n: {"person": n.person.pk, "to_organization": n.there, "to_school": n.school or ""},
            created=started("within"),
            records=lambda n: STARTED,
        ),
        Page("membership:transfer_letter_out", action="issue", label="form"),
        Create(
            "membership:transfer_letter_out",
            action="issue",
            places=STARTS,
            needs=[ISSUE_FROM],
            data=letter_out_data,
            created=started("out"),
            records=lambda n: STARTED,
        ),
        Page("membership:transfer_letter_in", action="accept", label="form"),
        Create(
            "membership:transfer_letter_in",
            action="accept",
            places=INS,
            needs=[PERSON_IN_SCOPE, ACCEPT_AT],
            data=letter_in_data,
            created=started("in"),
            records=lambda n: RECEIVED,
        ),
        ApiCreate(
            "transfer-list",
            label="letter_in",
            places=INS,
            needs=[PERSON_IN_SCOPE, ACCEPT_AT],
            body=letter_in_body,
            created=started("in"),
            records=lambda n: RECEIVED,
        ),
    ],
)


globals().update(build_matrix(SENT, REQUESTED, PROPOSALS, LETTERS, START))
