"""The generated permission matrix: role × object position × action, in the UI and the API.

Each scoped model adds one line (a ``ScopedCase``) to its app's ``tests/test_permissions.py``; the
matrix then checks, for every demo role and every position of an object in the tree (inside the
user's subtree, a sibling, an ancestor, another district, an id that does not exist), that:

- a role without the action answers 403;
- an object outside the scope answers 404, exactly like one that does not exist, and nothing is written;
- an allowed change works and leaves exactly one change record with the values before and after.

Whether an object lies in a user's scope is decided here by walking parents one by one in Python
(an independent reading of the rule), never by the path-prefix query the application uses.
"""

import io
from dataclasses import dataclass, field

import openpyxl
from django.forms.models import model_to_dict
from django.urls import reverse

from redengine.accounts.roles import ROLES, model_actions
from redengine.core.models import ObjectChange

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


def org_ancestry(org):
    """The organization and all its ancestors, by following parents one at a time."""
    chain = []
    while org is not None:
        chain.append(org.pk)
        org = type(org).objects.get_parent(org)
    return chain


@dataclass
class ScopedCase:
    """How to reach one scoped model in the UI and the API, and where its sample objects sit."""

    name: str
    model: type
    positions: dict  # position name -> natural key of a sample object
    lookup: str  # the natural key's field
    owners: object  # obj -> organizations it belongs to (for the independent scope reading)
    url_prefix: str  # "orgs:school" -> orgs:school_list / _detail / _edit / _delete
    api_url: str
    marker_field: str = "name"
    edit_fields: list = field(default_factory=list)
    deletable: object = staticmethod(lambda obj: True)  # obj -> whether nothing blocks its deletion
    create_data: object = None  # obj at a position -> form data of a new object placed there
    create_owners: object = None  # obj at a position -> organizations the new object would belong to
    list_url: str | None = None  # the list page's URL name (default: "<url_prefix>_list")
    mark: object = None  # (obj, marker) -> put a text that the list page shows (default: marker_field)
    patch: object = None  # obj -> the API PATCH body (default: {marker_field: "接口改名"})
    patched: object = None  # obj -> whether the PATCH took effect
    api_read_only: bool = False  # the API answers 405 to writes (changes go through a service)
    global_table: bool = False  # one table for the whole city: every role sees it, whatever its subtree

    @property
    def list_url_name(self):
        return self.list_url or (f"{self.url_prefix}_list" if self.url_prefix else None)

    def put_marker(self, obj, marker):
        if self.mark:
            self.mark(obj, marker)
        else:
            self.model.objects.filter(pk=obj.pk).update(**{self.marker_field: marker})

    def patch_body(self, obj):
        return self.patch(obj) if self.patch else {self.marker_field: "接口改名"}

    def was_patched(self, obj):
        return self.patched(obj) if self.patched else getattr(obj, self.marker_field) == "接口改名"

    def get(self, position):
        if position == MISSING:
            return None
        return self.model.objects.get(**{self.lookup: self.positions[position]})

    def in_scope(self, user, obj, action):
        """Independent reading: some role of the user allowing ``action`` sits at an ancestor of an owner."""
        return self.owners_in_scope(user, self.owners(obj), action)

    def owners_in_scope(self, user, owners, action):
        if self.global_table:
            return self.allowed(user, action)
        for assignment in user.assignments():
            if action not in model_actions(self.model, assignment.role):
                continue
            if assignment.organization_id is None:
                return True
            if any(assignment.organization_id in org_ancestry(o) for o in owners):
                return True
        return False

    def allowed(self, user, action):
        return any(action in model_actions(self.model, a.role) for a in user.assignments())

    def form_data(self, obj, marker):
        data = model_to_dict(obj, fields=self.edit_fields)
        for key, value in list(data.items()):
            if isinstance(value, list):
                data[key] = [getattr(v, "pk", v) for v in value]
            elif value is None:
                data[key] = ""
        data[self.marker_field] = marker
        return data


def expected_status(case, user, obj, action, ok):
    if not case.allowed(user, action):
        return 403
    if obj is None or not case.in_scope(user, obj, action):
        return 404
    return ok


def url(case, kind, obj):
    pk = obj.pk if obj is not None else 999999
    return reverse(f"{case.url_prefix}_{kind}", args=[pk])


def changes_of(obj):
    return ObjectChange.objects.filter(object_id=str(obj.pk), content_type__model=obj._meta.model_name)


def exported_values(response):
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return {cell for row in book.active.iter_rows(values_only=True) for cell in row if cell}


def technical(username):
    return ROLES[username].technical if username in ROLES else False


REGISTERED = set()  # models whose views are in a matrix (checked by core/tests/test_matrix_coverage.py)


def build_matrix(*cases):
    """Test functions for every case × role × position; a test module does ``globals().update(...)``."""
    import pytest

    REGISTERED.update(case.model for case in cases)

    from redengine.accounts.models import ApiToken, User

    from . import login_client

    params = [
        pytest.param(case, username, position, id=f"{case.name}-{username}-{position}")
        for case in cases
        for username in ROLE_USERS
        for position in [*case.positions, MISSING]
    ]
    parametrize = pytest.mark.parametrize(("case", "username", "position"), params)

    def setup(client, case, username, position):
        user = User.objects.get(username=username)
        return login_client(client, user), user, case.get(position)

    def token_headers(user):
        key, _ = ApiToken.issue(user)
        return {"HTTP_AUTHORIZATION": f"Token {key}"}

    @pytest.mark.django_db
    @parametrize
    def test_ui_detail(client, case, username, position):
        if case.url_prefix is None:
            return
        client, user, obj = setup(client, case, username, position)
        response = client.get(url(case, "detail", obj))
        assert response.status_code == expected_status(case, user, obj, "view", 200)

    @pytest.mark.django_db
    @parametrize
    def test_ui_list_and_export(client, case, username, position):
        client, user, obj = setup(client, case, username, position)
        if obj is None or case.list_url_name is None:
            return
        marker = f"MARKER-{case.name}-{position}"
        case.put_marker(obj, marker)
        list_url = reverse(case.list_url_name)
        response = client.get(list_url, {"sort": case.marker_field})  # "MARKER…" sorts before Chinese names
        expected = expected_status(case, user, obj, "view", 200)
        assert response.status_code == (403 if expected == 403 else 200)
        assert (marker in response.content.decode()) == (expected == 200)
        export = client.get(list_url, {"export": "xlsx"})
        expected_export = expected_status(case, user, obj, "export", 200)
        if expected == 403 or expected_export == 403:
            assert export.status_code == 403
        else:
            assert export.status_code == 200
            assert (marker in exported_values(export)) == (expected_export == 200)

    @pytest.mark.django_db
    @parametrize
    def test_ui_edit(client, case, username, position):
        if case.url_prefix is None:
            return
        client, user, obj = setup(client, case, username, position)
        expected = expected_status(case, user, obj, "change", 302)
        before_changes = changes_of(obj).count() if obj else 0
        data = case.form_data(obj, "改名测试") if obj else {"name": "x"}
        response = client.post(url(case, "edit", obj), data)
        if expected == 302 and response.status_code == 200:
            form = response.context.get("form")
            raise AssertionError(form.errors if form is not None else response.content[:500])
        assert response.status_code == expected
        if obj is None:
            return
        obj.refresh_from_db()
        if expected == 302:
            assert getattr(obj, case.marker_field) == "改名测试"
            changes = changes_of(obj).order_by("-id")
            assert changes.count() == before_changes + 1
            change = changes.first()
            assert change.action == "update"
            assert change.username == username
            assert change.after[case.marker_field] == "改名测试"
            assert change.before[case.marker_field] != "改名测试"
        else:
            assert getattr(obj, case.marker_field) != "改名测试"
            assert changes_of(obj).count() == before_changes

    @pytest.mark.django_db
    @parametrize
    def test_ui_create(client, case, username, position):
        client, user, obj = setup(client, case, username, position)
        if obj is None or case.create_data is None or case.url_prefix is None:
            return
        data = case.create_data(obj)
        records = ObjectChange.objects.count()
        response = client.post(reverse(f"{case.url_prefix}_add"), data)
        created = case.model.objects.filter(**{case.lookup: data[case.lookup]})
        if not case.allowed(user, "add"):
            assert response.status_code == 403
        elif case.owners_in_scope(user, case.create_owners(obj), "add"):
            assert response.status_code == 302, response.context["form"].errors if response.context else ""
            assert created.exists()
            assert changes_of(created.get()).filter(action="create", username=username).exists()
            return
        else:
            assert response.status_code == 200  # the form again, with the reason
            assert response.context["form"].errors
        assert not created.exists()
        assert ObjectChange.objects.count() == records

    @pytest.mark.django_db
    @parametrize
    def test_ui_delete(client, case, username, position):
        if case.url_prefix is None:
            return
        client, user, obj = setup(client, case, username, position)
        expected = expected_status(case, user, obj, "delete", 302)
        response = client.post(url(case, "delete", obj))
        assert response.status_code == expected
        if obj is not None:
            gone = not case.model.objects.filter(pk=obj.pk).exists()
            assert gone == (expected == 302 and case.deletable(obj))

    @pytest.mark.django_db
    @parametrize
    def test_api_detail_and_list(client, case, username, position):
        user = User.objects.get(username=username)
        obj = case.get(position)
        headers = token_headers(user)
        pk = obj.pk if obj else 999999
        response = client.get(f"{case.api_url}{pk}/", **headers)
        assert response.status_code == expected_status(case, user, obj, "view", 200)
        listing = client.get(case.api_url, {"page_size": 500}, **headers)
        expected = expected_status(case, user, obj, "view", 200)
        assert listing.status_code == (403 if expected == 403 else 200)
        if obj is not None and listing.status_code == 200:
            ids = {row["id"] for row in listing.json()["results"]}
            assert (obj.pk in ids) == (expected == 200)

    @pytest.mark.django_db
    @parametrize
    def test_api_write(client, case, username, position):
        user = User.objects.get(username=username)
        obj = case.get(position)
        headers = token_headers(user)
        pk = obj.pk if obj else 999999
        before_changes = changes_of(obj).count() if obj else 0
        body = case.patch_body(obj) if obj is not None else {case.marker_field: "x"}
        response = client.patch(f"{case.api_url}{pk}/", body, content_type="application/json", **headers)
        expected = expected_status(case, user, obj, "change", 200)
        if case.api_read_only and expected != 403:
            expected = 405  # the method is refused once the role may change such records at all
        assert response.status_code == expected, response.content[:300]
        if obj is not None:
            obj.refresh_from_db()
            assert case.was_patched(obj) == (expected == 200)
            assert changes_of(obj).count() == before_changes + (1 if expected == 200 else 0)
        response = client.delete(f"{case.api_url}{pk}/", **headers)
        expected = expected_status(case, user, obj, "delete", 204)
        if case.api_read_only and expected != 403:
            expected = 405
        elif expected == 204 and obj is not None and not case.deletable(obj):
            expected = 400
        assert response.status_code == expected, response.content[:300]

    return {
        f.__name__: f
        for f in [
            test_ui_detail,
            test_ui_list_and_export,
            test_ui_create,
            test_ui_edit,
            test_ui_delete,
            test_api_detail_and_list,
            test_api_write,
        ]
    }
