"""The generated permission matrix: role × object position × view, in the UI and the API.

Each scoped model is one ``ScopedCase`` in its app's ``tests/test_permissions.py``: where its sample
records sit in the demo tree (``positions``: the user's own subtree, a sibling, an ancestor, another
district, …), which organizations each belongs to (``owners``), and every view it has: list, export,
detail, add, edit, delete, its action views (and their confirmation pages) and fragments, and each method of its API routes (``views``).
A test is generated for each declared view, each demo role and each sampled position, and nothing else:
a case has only the views it declares, and every declared view asserts its answer:

- a role without the action: 403, and an access-log row of kind ``refused``, nothing written;
- a record outside the user's scope: 404, exactly as for an id that does not exist, nothing written;
- a write that names (or puts the new record under) a record outside the scope: the form again with its
  errors (UI) or 400 naming the field (API), nothing written;
- an allowed write: its effect, and exactly the expected change records, in the actor's name, with the
  values before and after; a logged read (reveal, export, a scan) leaves its access-log row.

Whether a record lies in a user's scope is decided here by walking the parents of its organizations one
by one in Python (an independent reading of the rule), never by the path-prefix query the application
uses; whether a role may do an action is read from the roles table (``roles.model_actions``).

Sampling (the full product is 5,888 tests, 3,345 with it): every role is tried on every view. A role that
may do the view's action somewhere is tried at every position of the case (and at a missing id, for a
view of one record); a role without the action is tried at one position only, because the refusal comes
before any record is looked up (``ScopedMixin.dispatch``, ``ScopedPermission``) and cannot depend on it.
A view that needs no record (a page, a list, an add form) has no missing id; the lists are tried at the
positions (a marker shown or not). An API method the route refuses (405: a read-only viewset) is tried at
one position, since the answer comes before the record is looked up too. A view whose new records go
elsewhere than the case's samples declares its own ``places``.

API routes are declared by route name and method; PUT is held to the PATCH declaration (DRF's same
``update``, not partial) and HEAD/OPTIONS to GET. ``core/tests/test_matrix_coverage.py`` fails when a
scoped model or a URL pattern of the project is in no case and not in its justified list.
"""

from redengine.accounts.roles import model_actions

from .api import ApiAction, ApiCreate, ApiDelete, ApiDetail, ApiList, ApiPatch, api_path  # noqa: F401 (the names the apps' test_permissions.py use)
from .cases import (  # noqa: F401 (the names the apps' test_permissions.py use)
    DECLARED,
    MISSING,
    MISSING_PK,
    REGISTERED,
    ROLE_USERS,
    Needs,
    Run,
    ScopedCase,
    Trail,
    acts,
    assert_update_record,
    covers,
    expected_records,
    exported_values,
    form_errors,
    org_ancestry,
    records_of,
)
from .pages import Action, Confirm, Create, Delete, Detail, Edit, Export, ListPage, Page, View, put_marker  # noqa: F401 (the names the apps' test_permissions.py use)


# The generated tests -----------------------------------------------------------------------------------
def params(cases):
    """(case, view, user, position) for every declared view, every role, and the positions sampled."""
    import pytest

    found = {}
    for case in cases:
        for view in case.views:
            for username in ROLE_USERS:
                positions = view.sample(case)
                if not case_allows(case, view, username):
                    positions = positions[:1]  # refused before any record is looked up
                for position in positions:
                    name = f"{case.name}-{view.key.replace(' ', '-')}{'-' + view.label if view.label else ''}"
                    found.setdefault(view.kind, []).append(
                        pytest.param(case, view, username, position, id=f"{name}-{username}-{position}")
                    )
    return found


def case_allows(case, view, username):
    """Whether the demo role of ``username`` may do the view's action anywhere (from the roles table)."""
    from redengine.demo.data import ACCOUNTS

    role = next(role for name, _full, role, _org, _reveal in ACCOUNTS if name == username)
    reveal = next(reveal for name, _full, _role, _org, reveal in ACCOUNTS if name == username)
    actions = model_actions(view.model or case.model, role)
    if view.action == "reveal":
        return reveal and "view" in actions
    return view.action in actions


def build_matrix(*cases):
    """One test function per view kind, parametrized over the declared (case, view) pairs × roles ×
    positions; a test module does ``globals().update(build_matrix(...))``."""
    import pytest

    from redengine.accounts.models import User

    for case in cases:
        REGISTERED.add(case.model)
        # (a method a read-only route refuses is tried, with its 405, but is no pattern of the project)
        DECLARED.update(view.key for view in case.views if getattr(view, "writable", True))

    def make(kind, parameters):
        @pytest.mark.django_db
        @pytest.mark.parametrize(("case", "view", "username", "position"), parameters)
        def test(client, case, view, username, position):
            if case.setup:
                case.setup()
            user = User.objects.get(username=username)
            view.check(Run(client, case, view, user, position, view.subject(case, position)))

        test.__name__ = f"test_{kind}"
        return test

    return {f"test_{kind}": make(kind, parameters) for kind, parameters in params(cases).items()}
