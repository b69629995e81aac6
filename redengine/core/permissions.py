"""What each role may do on a model: the model declares it, in ``role_actions`` (role code -> actions),
read by ``accounts/roles.py`` ``model_actions``. A model that declares nothing is open to no role, and
a role it does not name may do nothing on it (deny by default); ``core/tests/test_matrix_coverage.py``
fails for a scoped model without a declaration.

Most models declare the usual table (``usual_table``), some with a role narrowed or given an action
of the model's own (the development case's ``override``). Where a role may act is its assignment's
subtree (``core/scoping.py``).
"""

VIEW, ADD, CHANGE, DELETE, EXPORT = "view", "add", "change", "delete", "export"
AUDIT = "audit"  # read the change records and the access log within the scope
APPROVE = "approve"  # approve another account's export that needs a second person (core/approvals.py)

USUAL = {
    "city_admin": frozenset({VIEW, ADD, CHANGE, DELETE, EXPORT}),
    "district_admin": frozenset({VIEW, ADD, CHANGE, DELETE, EXPORT}),
    "school_secretary": frozenset({VIEW, ADD, CHANGE, EXPORT}),
    "instructor": frozenset({VIEW}),
    "inspector": frozenset({VIEW, EXPORT}),
}


def usual_table(**changed):
    """The usual table of the business roles, with the roles named in ``changed`` given those actions."""
    return {**USUAL, **{role: frozenset(actions) for role, actions in changed.items()}}
