"""The apps are layered: an app imports core and the apps below it, never one above (DESIGN.md).

Every module of every app is read with ``ast`` (tests and migrations left out): its imports, at module
level and inside functions, absolute and relative, and its strings (an upper app's URL name or model
label, such as ``"people:person_list"`` or ``"people.Person"``, names it as surely as an import; a
docstring may still mention one). Every template of an app, and the project's ``templates/core/``
(core's), may not name an upper app's URL namespace or template. ``redengine/testing/`` is a test
helper package, not an app; the project's own modules and ``base.html`` sit at the top.
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps

import redengine

# The order of the apps, lowest first (a new domain app takes development's level). demo is on top:
# it may import anything.
LEVELS = {
    "core": 0,
    "dataio": 1,  # the Excel engine
    "orgs": 2,
    "accounts": 3,  # a role is held at an organization
    "people": 4,
    "development": 5,  # the domain apps
    "activities": 6,  # organizational life: its guests are development's activists
    "membership": 7,  # membership after admission: transfers move development's cases, lapses read attendance
    "cultivation": 8,  # dual cultivation: reads the titles, the memberships, the cases and the attendance
    "pioneer": 9,  # model posts, classes and volunteer teams
    "showcase": 10,  # stories, featured lessons and role models (names no pioneer record)
    "pairing": 11,  # urban-rural school pairing (names no pioneer or showcase record)
    "assessment": 12,  # branch star rating: reads the other apps' figures by their registry names only
    "imports": 13,  # the import jobs and their pages
    "reports": 14,
    "demo": 15,
}
ROOT = Path(redengine.__file__).parent
SKIPPED = {"tests", "migrations"}
TEMPLATE_NAME = re.compile(r"""\{%\s*(?:url\s+['"](\w+):|(?:include|extends)\s+['"](\w+)/)""")


def app_of(module):
    """The app a dotted module name belongs to, or None (a library, the project package, the test helpers)."""
    parts = module.split(".")
    return parts[1] if parts[0] == "redengine" and len(parts) > 1 and parts[1] in LEVELS else None


def modules(app):
    for path in sorted((ROOT / app).rglob("*.py")):
        if not SKIPPED & set(path.relative_to(ROOT).parts):
            yield path


def imported(path, root=ROOT):
    """(line, dotted module) of every import in the file, relative ones resolved."""
    package = ["redengine", *path.relative_to(root).parent.parts]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, module
            if node.module is None:  # "from . import x": x may be a module of its own
                yield from ((node.lineno, f"{module}.{alias.name}") for alias in node.names)


DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def docstrings(tree):
    for node in ast.walk(tree):
        first = node.body[0] if isinstance(node, DOCUMENTED) and node.body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            yield first.value


def strings(path):
    """(line, text) of every string constant in the file but the docstrings."""
    tree = ast.parse(path.read_text(), str(path))
    skip = {id(node) for node in docstrings(tree)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def above(app):
    return [other for other, level in LEVELS.items() if level > LEVELS[app]]


def upward_imports(app):
    found = []
    for path in modules(app):
        for line, module in imported(path):
            target = app_of(module)
            if target is not None and LEVELS[target] > LEVELS[app]:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


def upward_names(app):
    upper = above(app)
    if not upper:
        return []
    pattern = re.compile(rf"\b({'|'.join(upper)})[.:][A-Za-z_]")
    return [
        f"{path.relative_to(ROOT)}:{line} names {text!r}"
        for path in modules(app)
        for line, text in strings(path)
        if pattern.search(text)
    ]


def templates(app):
    folders = [ROOT / app / "templates"] + ([ROOT / "templates" / "core"] if app == "core" else [])
    for folder in folders:
        yield from sorted(folder.rglob("*.html"))


def upward_templates(app):
    upper = set(above(app))
    found = []
    for path in templates(app):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for match in TEMPLATE_NAME.finditer(line):
                name = match.group(1) or match.group(2)
                if name in upper:
                    found.append(f"{path.relative_to(ROOT)}:{number} names {match.group(0)}")
    return found


def test_every_app_has_its_place_in_the_order():
    ours = {
        config.name.split(".")[1] for config in apps.get_app_configs() if config.name.startswith("redengine.")
    }
    assert ours == set(LEVELS), f"place these apps in LEVELS: {sorted(ours - set(LEVELS))}"


@pytest.mark.parametrize("app", list(LEVELS))
def test_an_app_imports_no_app_above_it(app):
    assert not upward_imports(app)


@pytest.mark.parametrize("app", list(LEVELS))
def test_an_app_names_no_app_above_it_in_its_code(app):
    assert not upward_names(app)


@pytest.mark.parametrize("app", list(LEVELS))
def test_an_apps_templates_name_no_app_above_it(app):
    assert not upward_templates(app)


def test_the_reading_finds_every_kind_of_import(tmp_path):
    """Imports at module level and in functions, absolute and relative, and strings but docstrings."""
    probe = tmp_path / "orgs" / "api" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text(
        '"""Mentions people.Person."""\n'
        "import redengine.core.models, json\n"
        "from . import serializers\n"
        "from .. import models\n"
        "def f():\n"
        "    from ...people.models import Person\n"
        "    import redengine.reports.views\n"
        "    return 'development:case_list'\n"
    )
    assert [module for _, module in imported(probe, tmp_path)] == [
        "redengine.core.models",
        "json",
        "redengine.orgs.api",
        "redengine.orgs.api.serializers",
        "redengine.orgs",
        "redengine.orgs.models",
        "redengine.people.models",
        "redengine.reports.views",
    ]
    assert [text for _, text in strings(probe)] == ["development:case_list"]
