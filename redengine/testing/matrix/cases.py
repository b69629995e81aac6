"""The matrix's roles, positions and cases, its independent reading of the scope rule, and what a request
left behind (its trail)."""

import io
from collections import Counter
from dataclasses import dataclass

import openpyxl
from django.db.models import Max

from redengine.accounts.roles import model_actions
from redengine.core.models import AccessEvent, ObjectChange

ROLE_USERS = [
    "city_admin",
    "yuelu_admin",
    "school_secretary",
    "instructor",
    "inspector",
    "sys_admin",
    "sec_admin",
    "audit_admin",
]
MISSING = "missing"
MISSING_PK = 999999

REGISTERED = set()  # models in a matrix (checked by core/tests/test_matrix_coverage.py)
DECLARED = set()  # URL names, and "route METHOD" for the API, declared by some case


# The independent reading of the rule ---------------------------------------------------------------
def org_ancestry(org):
    """The organization and all its ancestors, by following parents one at a time."""
    chain = []
    while org is not None:
        chain.append(org.pk)
        org = type(org).objects.get_parent(org)
    return chain


def acts(assignment, model, action):
    """Whether a role assignment allows ``action`` on ``model``: its role's actions on the model; a reveal
    needs the assignment's ``can_reveal`` and the view of the model."""
    actions = model_actions(model, assignment.role)
    if action == "reveal":
        return assignment.can_reveal and "view" in actions
    return action in actions


def covers(assignment, owners):
    """An assignment without an organization covers the whole system; else its organization's subtree."""
    if assignment.organization_id is None:
        return True
    return any(assignment.organization_id in org_ancestry(o) for o in owners)


@dataclass(frozen=True)
class Needs:
    """A record a write names, or puts its new record under: it must lie in the writer's scope for
    ``action`` on ``model`` (the case's by default), through the roles that allow the write itself."""

    owners: object  # subject -> organizations it belongs to
    action: str = "add"
    model: type | None = None
    field: str | None = None  # the field a refusal names (the API's 400)


@dataclass
class ScopedCase:
    """One scoped model: its sample records, where they belong, and every view it has."""

    name: str
    model: type
    positions: dict  # position name -> key of a sample record
    owners: object  # record -> organizations it belongs to (for the independent scope reading)
    views: list
    lookup: str = "pk"  # the key's field
    find: object = None  # key -> the sample record (default: by ``lookup``)
    setup: object = None  # () -> None: sample records the case needs, made with the real services
    marker_field: str = "name"
    mark: object = None  # (record, marker) -> put a text that the lists show (default: marker_field)
    global_table: bool = False  # one table for the whole city: a role that may do the action sees every row

    def get(self, position):
        if position in (None, MISSING):
            return None
        key = self.positions[position]
        return self.find(key) if self.find else self.model.objects.get(**{self.lookup: key})

    def put_marker(self, obj, marker):
        if self.mark:
            self.mark(obj, marker)
        else:
            self.model.objects.filter(pk=obj.pk).update(**{self.marker_field: marker})

    def allowed(self, user, action, model=None):
        return any(acts(a, model or self.model, action) for a in user.assignments())

    def owners_in_scope(self, user, owners, action, model=None, through=None):
        model = model or self.model
        for assignment in user.assignments():
            if not acts(assignment, model, action) or (through and not acts(assignment, *through)):
                continue
            if (self.global_table and model is self.model) or covers(assignment, owners):
                return True
        return False

    def in_scope(self, user, obj, action, model=None):
        return obj is not None and self.owners_in_scope(user, self.owners(obj), action, model)

    def needs_met(self, user, needs, subject, write):
        return [
            n for n in needs if not self.owners_in_scope(user, n.owners(subject), n.action, n.model, write)
        ]


# What a request left behind --------------------------------------------------------------------------
class Trail:
    """The change records and access events written since it was made."""

    def __init__(self):
        self.changes_from = ObjectChange.objects.aggregate(m=Max("id"))["m"] or 0
        self.events_from = AccessEvent.objects.aggregate(m=Max("id"))["m"] or 0

    def changes(self):
        return ObjectChange.objects.filter(id__gt=self.changes_from).select_related("content_type")

    def events(self, kind=None):
        events = AccessEvent.objects.filter(id__gt=self.events_from)
        return events.filter(kind=kind) if kind else events

    def assert_nothing_written(self):
        assert not self.changes().exists(), list(self.changes().values_list("object_repr", "action"))

    def assert_refused(self, response, user, action):
        assert response.status_code == 403, response.content[:300]
        refusals = list(self.events("refused").values_list("username", "detail"))
        assert refusals == [(user.username, action)], refusals
        self.assert_nothing_written()

    def assert_records(self, user, expected):
        changes = list(self.changes())
        found = Counter((c.content_type.model, c.action) for c in changes)
        assert found == Counter(expected), found
        assert {(c.username, c.user_id_snapshot) for c in changes} <= {(user.username, user.pk)}

    def assert_logged(self, user, kind, count=1):
        assert list(self.events(kind).values_list("username", flat=True)) == [user.username] * count


def records_of(model, action, count=1):
    return {(model._meta.model_name, action): count}


def expected_records(view, case, subject, action):
    """The change records a write should leave: the view's own (read before the request), or one ``action``
    record of the case's model."""
    return view.records(subject) if view.records else records_of(case.model, action)


def assert_update_record(trail, obj, name):
    """The change record of ``obj`` shows the field's value before and after, and they differ."""
    records = trail.changes().filter(content_type__model=obj._meta.model_name, object_id=str(obj.pk))
    record = records.filter(action="update").first()
    assert record is not None
    assert name in record.changed_fields, record.changed_fields
    assert record.before.get(name) != record.after.get(name)
    assert str(record.after.get(name)) == str(getattr(obj, name))


def exported_values(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return {str(cell) for row in book.active.iter_rows(values_only=True) for cell in row if cell}


def form_errors(response):
    context = response.context or {}
    form = context.get("form")
    return form.errors if form is not None else response.content[:500]


@dataclass
class Run:
    """One generated test: the case, the view, the user and the subject at the sampled position."""

    client: object
    case: ScopedCase
    view: object
    user: object
    position: str | None
    subject: object

    def ui(self):
        from redengine.testing import login_client

        return login_client(self.client, self.user)

    def api(self, method, path, body=None, **query):
        from redengine.accounts.models import ApiToken

        # As the token view issues it: after the two-factor code, where the account needs one.
        key, _token = ApiToken.issue(self.user, otp_verified=self.user.requires_2fa)
        headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
        send = getattr(self.client, method)
        if method == "get":
            return send(path, query, **headers)
        return send(path, body or {}, content_type="application/json", **headers)

    @property
    def allowed(self):
        return self.case.allowed(self.user, self.view.action, self.view.model)
