"""The Simplified Chinese catalogue is complete, compiled and in step with the source.

The catalogue is made with ``makemessages -l zh_Hans`` run from ``redengine/`` and compiled with
``compilemessages``; both files are committed. These tests fail when a string is left untranslated or
fuzzy, when a placeholder is lost, when the ``.mo`` is stale, or when the code or a template uses a
literal string that the catalogue does not hold.
"""

import ast
import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.template import Context, Template
from django.utils import translation

PROJECT = Path(__file__).resolve().parents[2]  # .../redengine
LC_MESSAGES = PROJECT / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

# %(name)s-style and bare %s-style placeholders; "%%" is a literal percent sign, not a placeholder.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
# Sentence-final punctuation must be full-width in Chinese.
FULL_WIDTH_END = {".": "。", "?": "？", "!": "！", ":": "：", ";": "；"}

# {% translate "..." %} / {% trans '...' %} with a literal string.
TEMPLATE_LITERAL = re.compile(r"""\{%-?\s*trans(?:late)?\s+("[^"\n]*"|'[^'\n]*')""")
# _("..."), _l("..."), gettext("..."), gettext_lazy("...") with one literal on one line.
PYTHON_LITERAL = re.compile(
    r"""(?<![\w.])(?:_|_l|_lazy|gettext|gettext_lazy)\(\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')\s*[,)]"""
)
SKIPPED_DIRS = {"tests", "migrations", "locale", "__pycache__", "static"}
TEMPLATE_SUFFIXES = {".html", ".txt"}


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO_PATH))


def placeholders(text):
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


def translations(catalogue):
    """(context, msgid) -> translation(s) of every entry but the header."""
    result = {}
    for entry in catalogue:
        if entry.obsolete or not entry.msgid:
            continue
        if entry.msgid_plural:
            value = tuple(sorted((int(k), v) for k, v in entry.msgstr_plural.items()))
        else:
            value = entry.msgstr
        result[(entry.msgctxt, entry.msgid)] = value
    return result


def source_files():
    for path in sorted(PROJECT.rglob("*")):
        if not path.is_file() or SKIPPED_DIRS & set(path.relative_to(PROJECT).parts[:-1]):
            continue
        if path.suffix == ".py" or path.suffix in TEMPLATE_SUFFIXES:
            yield path


def source_literals():
    """(file, literal) for every literal translatable string in the project's code and templates."""
    found = []
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            literals = [ast.literal_eval(m.group(1)) for m in PYTHON_LITERAL.finditer(text)]
        else:
            literals = [m.group(1)[1:-1] for m in TEMPLATE_LITERAL.finditer(text)]
        found += [(path.relative_to(PROJECT), s) for s in literals if re.search(r"[^\W\d_]", s)]
    return found


def test_header_is_for_simplified_chinese(po):
    assert po.metadata["Language"] == "zh_Hans"
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert not po.metadata_is_fuzzy


def test_catalogue_is_not_empty(po):
    assert len([e for e in po if not e.obsolete]) > 100


def test_every_entry_is_translated(po):
    untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
    assert untranslated == []
    plurals_without_form = [e.msgid for e in po if e.msgid_plural and not e.msgstr_plural.get(0, "").strip()]
    assert plurals_without_form == []
    blank = [e.msgid for e in po if not e.msgid_plural and e.msgid and not e.msgstr.strip()]
    assert blank == []


def test_no_fuzzy_or_obsolete_entries(po):
    assert [e.msgid for e in po if "fuzzy" in e.flags] == []
    assert [e.msgid for e in po.obsolete_entries()] == []


def test_placeholders_are_kept(po):
    wrong = []
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        if entry.msgid_plural:
            expected = set(placeholders(entry.msgid)) | set(placeholders(entry.msgid_plural))
            for form in entry.msgstr_plural.values():
                if set(placeholders(form)) != expected:
                    wrong.append((entry.msgid, form))
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            wrong.append((entry.msgid, entry.msgstr))
    assert wrong == []


def test_sentences_end_with_full_width_punctuation(po):
    wrong = []
    for entry in po:
        if entry.obsolete or not entry.msgid or entry.msgid_plural:
            continue
        wanted = FULL_WIDTH_END.get(entry.msgid[-1])
        if wanted and not entry.msgstr.endswith(wanted):
            wrong.append((entry.msgid, entry.msgstr))
    assert wrong == []


def test_compiled_catalogue_matches_the_po(po):
    assert MO_PATH.is_file(), "run: cd redengine && ../manage.py compilemessages -l zh_Hans"
    mo = polib.mofile(str(MO_PATH))
    assert translations(mo) == translations(po), "django.mo is stale: run compilemessages -l zh_Hans"


def test_every_literal_in_the_source_is_in_the_catalogue(po):
    msgids = {e.msgid for e in po if not e.obsolete}
    literals = source_literals()
    assert len(literals) > 100, "the scanner found too few strings; have the patterns stopped matching?"
    missing = sorted({f"{path}: {literal!r}" for path, literal in literals if literal not in msgids})
    assert missing == [], "run makemessages -l zh_Hans and translate the new strings"


def test_django_serves_the_chinese_text():
    with translation.override("zh-hans"):
        assert translation.gettext("Dashboard") == "工作台"
        assert translation.gettext("Red Engine") == "红色引擎"
        assert translation.ngettext("%(counter)s record", "%(counter)s records", 3) % {"counter": 3} == (
            "共 3 条记录"
        )
        rendered = Template(
            "{% load i18n %}{% translate 'Export to Excel' %}|"
            "{% blocktranslate with n=2 total=5 %}Page {{ n }} of {{ total }}{% endblocktranslate %}"
        ).render(Context())
        assert rendered == "导出 Excel|第 2 页，共 5 页"
    with translation.override("en"):
        assert translation.gettext("Dashboard") == "Dashboard"
