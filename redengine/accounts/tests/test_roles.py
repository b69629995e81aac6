"""Roles deny by default: a role may do on a model only what the model declares for it (role_actions)."""

from django.apps import apps

from redengine.accounts.roles import BUSINESS_ROLES, ROLES, TECHNICAL_ROLES, model_actions
from redengine.core.permissions import USUAL


class Undeclared:
    """A model that declares nothing."""


def actions_on(label):
    return {role: model_actions(apps.get_model(label), role) for role in ROLES}


def test_a_model_that_declares_nothing_is_open_to_no_role():
    assert all(model_actions(Undeclared, role) == frozenset() for role in ROLES)


def test_the_usual_table():
    assert actions_on("people.Person") == {
        **USUAL,
        **dict.fromkeys(TECHNICAL_ROLES, frozenset()),
    }
    assert USUAL["school_secretary"] == {"view", "add", "change", "export"}
    assert USUAL["inspector"] == {"view", "export"}


def test_narrowed_tables():
    assert actions_on("orgs.School")["school_secretary"] == {"view", "change", "export"}
    standards = actions_on("orgs.GrantStandard")
    assert standards["city_admin"] == {"view", "add", "change", "delete", "export"}
    assert all(standards[role] == {"view"} for role in ("district_admin", "school_secretary", "instructor"))
    assert standards["inspector"] == {"view", "export"}


def test_override_is_the_development_cases_own_action():
    holders = {
        (model._meta.label, role)
        for model in apps.get_models()
        for role in ROLES
        if "override" in model_actions(model, role)
    }
    assert holders == {
        ("development.DevelopmentCase", "city_admin"),
        ("development.DevelopmentCase", "district_admin"),
    }


def test_the_technical_administrators_act_only_on_accounts_roles_and_logs():
    acting = {
        (model._meta.label, role): model_actions(model, role)
        for model in apps.get_models()
        for role in TECHNICAL_ROLES
        if model_actions(model, role)
    }
    assert acting == {
        ("accounts.User", "sys_admin"): {"manage_users"},
        ("accounts.RoleAssignment", "sec_admin"): {"manage_roles"},
        # Ending an account's lock-out after failed logins (the account itself is not changed).
        ("accounts.User", "sec_admin"): {"unlock_logins"},
        # The requests to confirm of changes to the security and audit administrators (三员 watch each other).
        ("accounts.AdminChangeRequest", "sys_admin"): {"view"},
        ("accounts.AdminChangeRequest", "sec_admin"): {"view"},
        ("accounts.AdminChangeRequest", "audit_admin"): {"view"},
        ("core.ObjectChange", "audit_admin"): {"audit"},
        ("core.AccessEvent", "audit_admin"): {"audit"},
    }


def test_the_audit_logs_are_for_auditors():
    for label in ("core.ObjectChange", "core.AccessEvent"):
        table = actions_on(label)
        assert table["city_admin"] == table["inspector"] == {"audit", "export"}
        assert all(not table[role] for role in BUSINESS_ROLES - {"city_admin", "inspector"})
