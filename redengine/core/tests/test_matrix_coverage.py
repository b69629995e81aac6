"""Every scoped model is in the generated permission matrix, or has its own tests named here."""

import importlib
import pkgutil

from django.apps import apps

import redengine
from redengine.core.scoping import ScopedQuerySet
from redengine.testing.matrix import REGISTERED

# Scoped models whose access rules are not "a subtree of the tree", each with the tests that cover it.
OWN_TESTS = {
    "accounts.User": "accounts/tests/test_login_security.py, test_account_management.py (system administrator)",
    "accounts.RoleAssignment": "accounts/tests/test_account_management.py (security administrator)",
    "core.ObjectChange": "core/tests/test_audit.py (auditors, within their scope)",
    "core.AccessEvent": "core/tests/test_audit.py (auditors, within their scope)",
    "development.EventAttachment": "development/tests/test_pages.py (attachments: scoped download, logged)",
    "dataio.ImportJob": "dataio/tests/test_pages.py (import jobs seen within the scope, confirmed by the uploader)",
}


def scoped_models():
    return {
        m._meta.label
        for m in apps.get_models()
        if m.__module__.startswith("redengine.") and isinstance(m._default_manager.all(), ScopedQuerySet)
    }


def test_every_scoped_model_is_in_the_permission_matrix():
    for module in pkgutil.walk_packages(redengine.__path__, "redengine."):
        if module.name.endswith(".tests.test_permissions"):
            importlib.import_module(module.name)
    covered = {m._meta.label for m in REGISTERED} | set(OWN_TESTS)
    missing = scoped_models() - covered
    assert not missing, f"add these models to a test_permissions.py matrix: {sorted(missing)}"
    assert {"orgs.School", "orgs.PartyOrganization"} <= {m._meta.label for m in REGISTERED}
