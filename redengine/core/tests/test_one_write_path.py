"""Services are the only writers. The audit trail refuses a record made outside a write path at run time
(``core.audit.require_write_path``); what bypasses the trail altogether — ``QuerySet.update()``,
``bulk_create``/``bulk_update``, raw SQL, the bulk audited helpers — is found here by walking the code:
outside the services modules and the write path's own machinery, no call of the kind may reach an
audited model."""

import ast
import importlib
import pkgutil
from pathlib import Path

import redengine
from redengine.core.models import AuditedModel

ROOT = Path(redengine.__file__).parent
# The write path itself: the bulk audited helpers and the batch services built on them.
MACHINERY = {"core/audit.py", "core/writes.py", "core/services.py"}
BYPASSING = {"update", "bulk_create", "bulk_update", "raw", "create", "get_or_create", "update_or_create"}
HELPERS = {
    "bulk_create_audited",
    "bulk_update_audited",
    "insert_records",
    "insert_objects",
    "update_rows",
    "set_many_audited",
}
MANAGERS = {"objects", "_base_manager", "_default_manager"}


def modules():
    for info in pkgutil.walk_packages(redengine.__path__, "redengine."):
        parts = info.name.split(".")
        if "tests" in parts or "migrations" in parts or parts[1] in {"testing", "conftest", "settings"}:
            continue
        yield info.name


def allowed(relative):
    return relative in MACHINERY or relative.endswith("/services.py") or "/services/" in relative


def root_name(node):
    """The name at the start of an attribute chain (``School`` in ``School.objects.filter(...).update``)."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def through_manager(node):
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def violations_in(module):
    path = Path(module.__file__)
    relative = str(path.relative_to(ROOT))
    if allowed(relative):
        return []
    return violations_in_source(path.read_text(), relative, vars(module))


def violations_in_source(source, relative, namespace):
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        where = f"{relative}:{node.lineno}"
        if name in HELPERS:
            found.append(f"{where}: {name} outside a service")
        elif name in {"cursor", "execute", "executemany"}:
            found.append(f"{where}: raw SQL outside the write path")
        elif name in BYPASSING and isinstance(func, ast.Attribute) and through_manager(func.value):
            target = namespace.get(root_name(func.value) or "")
            if isinstance(target, type) and issubclass(target, AuditedModel):
                found.append(f"{where}: {target.__name__}.objects….{name}() outside a service")
    return found


def test_no_write_bypasses_the_services():
    found = []
    for name in modules():
        found += violations_in(importlib.import_module(name))
    assert not found, "\n".join(found)


def test_the_walk_finds_a_bypass():
    """The walk is not vacuous: planted bypasses are found, and a dictionary's ``update`` is not one."""
    from redengine.orgs.models import School

    source = (
        "def rename(values):\n"
        '    School.objects.filter(pk=1).update(name="x")\n'
        "    values.update(name='x')\n"
        "    bulk_update_audited(School, [], ['name'])\n"
        "    with connection.cursor() as cursor:\n"
        "        pass\n"
    )
    found = violations_in_source(source, "orgs/planted.py", {"School": School})
    assert found == [
        "orgs/planted.py:2: School.objects….update() outside a service",
        "orgs/planted.py:4: bulk_update_audited outside a service",
        "orgs/planted.py:5: raw SQL outside the write path",
    ]
