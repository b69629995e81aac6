"""A crawl of the site as one account, and a scan of everything it was answered, for leaks.

``Crawler`` starts from a few seeds (``/``, the list pages with a search by name, the API schema), follows
every same-site link and ``hx-get`` of every HTML answer (GET only; never logout, the language switch or a
static file), tries ``?export=xlsx`` once on every page without arguments, and reads every API list route
of the OpenAPI schema (page 1, then a detail and the GET actions of the first records of each list). It is
bounded: each distinct URL pattern (view and set of query keys) with at most ``per_pattern`` distinct URLs,
and at most ``budget`` requests in all. Every answer is kept as text: HTML unescaped, JSON decoded, .xlsx
cells (openpyxl) and .docx paragraphs read out of the file.

``Scanner`` looks at every answer for what must not be there (each ``Finding`` names the URL and shows a
snippet around the match):

- a marker (a unique string the test put in a text field shown to users, ``⟦person-12⟧``) of a record the
  account may not see;
- a full ID number or a full mobile, either one of the real values of the people in the database or any
  18-character string with a valid GB 11643 check character or any 11-digit mobile-looking number, except
  in the answer of a reveal the account may do for that person;
- a person's masked ID number in the same answer as that person's birth date (the two narrow the number
  down to a few candidates: issue 9, finding 1).

Nothing here writes; it is used by ``reports/tests/test_crawl.py`` and may be used by any test.
"""

import html
import io
import json
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.urls import Resolver404, resolve

from redengine.core.validators import parse_id_number

SKIPPED_PREFIXES = ("/static/", "/media/", "/i18n/", "/__debug__/")
SKIPPED_WORDS = ("logout",)
JSON_ACCEPT = "application/json"


# Answers ---------------------------------------------------------------------------------------------
@dataclass
class Answer:
    url: str
    status: int
    kind: str  # html, json, xlsx, docx, text, binary
    text: str
    view: str = ""  # the resolved view name (``people:person_reveal``), '' for an unknown path

    def snippet(self, start, end, width=60):
        before = max(0, start - width)
        return self.text[before : end + width].replace("\n", " ")


def xlsx_text(content):
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    lines = []
    for sheet in book.worksheets:
        lines.append(f"[{sheet.title}]")
        for row in sheet.iter_rows(values_only=True):
            lines.append("\t".join("" if v is None else str(v) for v in row))
    book.close()
    return "\n".join(lines)


def docx_text(content):
    """Every text run of the document's XML parts (body, headers, footers, tables), tags removed."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = [n for n in archive.namelist() if n.startswith("word/") and n.endswith(".xml")]
        xml = "\n".join(archive.read(n).decode("utf-8", "replace") for n in parts)
    xml = re.sub(r"</w:p>", "\n", xml)
    return html.unescape(re.sub(r"<[^>]+>", "", xml))


def answer_text(response):
    """(kind, text) of a response, whatever it carries."""
    content_type = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    disposition = response.get("Content-Disposition", "")
    if (
        "spreadsheetml" in content_type
        or disposition.endswith('.xlsx"')
        or content[:2] == b"PK"
        and b"xl/" in content[:2000]
    ):
        try:
            return "xlsx", xlsx_text(content)
        except Exception as exc:  # noqa: BLE001 - an unreadable file is an answer to report, not a crash
            return "binary", f"unreadable workbook: {exc}"
    if "wordprocessingml" in content_type or disposition.endswith('.docx"'):
        return "docx", docx_text(content)
    if "json" in content_type:
        text = content.decode("utf-8", "replace")
        try:
            return "json", json.dumps(json.loads(text), ensure_ascii=False, indent=0)
        except ValueError:
            return "json", text
    if content_type.startswith("text/") or "javascript" in content_type or "xml" in content_type:
        text = content.decode(response.charset or "utf-8", "replace")
        return ("html" if "html" in content_type else "text"), html.unescape(text)
    return "binary", content.decode("latin-1")  # still scanned: a PDF or an image may carry text


# Links ----------------------------------------------------------------------------------------------
class LinkParser(HTMLParser):
    ATTRIBUTES = ("href", "hx-get", "data-href", "data-url")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []
        self.posts = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and name in self.ATTRIBUTES:
                self.links.append(value)
            elif value and name == "hx-post":
                self.posts.append(value)


def links_of(page_url, text, attribute="links"):
    """The same-site links of a page (``href``, ``hx-get``…), or its ``hx-post`` targets."""
    parser = LinkParser()
    parser.feed(text)
    found = []
    for link in getattr(parser, attribute):
        if link.startswith(("#", "mailto:", "javascript:", "tel:")):
            continue
        absolute = urljoin(page_url, link)
        parts = urlsplit(absolute)
        if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http", "https"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def is_list(path):
    """A page of no record (a list, a report): where ``?export=xlsx`` is tried."""
    if path.startswith("/api/"):
        return False
    try:
        return not resolve(path).kwargs
    except Resolver404:
        return False


def view_of(path):
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    return match.view_name or match.route


# The crawler ----------------------------------------------------------------------------------------
@dataclass
class Crawler:
    client: object
    per_pattern: int = 8
    budget: int = 300
    answers: list = field(default_factory=list)
    seen: set = field(default_factory=set)
    patterns: Counter = field(default_factory=Counter)
    skipped: int = 0
    found_on: dict = field(default_factory=dict)  # url -> the page that linked to it
    # POSTs that only read (a reveal): followed from the ``hx-post`` of the pages, like a user's click
    post_views: tuple = ("people:person_reveal",)

    def pattern(self, url):
        parts = urlsplit(url)
        keys = tuple(sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)}))
        return view_of(parts.path) or parts.path, keys, "api" if parts.path.startswith("/api/") else "ui"

    def wanted(self, url):
        path = urlsplit(url).path
        if path.startswith(SKIPPED_PREFIXES) or any(w in path for w in SKIPPED_WORDS):
            return False
        return url not in self.seen

    def fetch(self, url, accept=None, force=False, method="get"):
        """GET (or POST) ``url`` once, within the budget and the pattern's share; the answer, or None."""
        if not force and (not self.wanted(url) or len(self.answers) >= self.budget):
            return None
        pattern = self.pattern(url)
        if not force and self.patterns[pattern] >= self.per_pattern:
            self.skipped += 1
            return None
        self.seen.add(url)
        self.patterns[pattern] += 1
        headers = {"HTTP_ACCEPT": accept} if accept else {}
        response = getattr(self.client, method)(url, **headers)
        kind, text = answer_text(response)
        answer = Answer(url, response.status_code, kind, text, view_of(urlsplit(url).path))
        self.answers.append(answer)
        return answer

    def crawl(self, seeds=("/",), api=True):
        """Every page reachable from ``seeds``, the exports of the list pages, and the API."""
        queue = list(seeds)
        exported = set()
        while queue and len(self.answers) < self.budget:
            url = queue.pop(0)
            answer = self.fetch(url)
            if answer is None or answer.kind != "html" or answer.status != 200:
                continue
            for link in links_of(url, answer.text):
                if self.wanted(link):
                    self.found_on.setdefault(link, url)
                    queue.append(link)
            for target in links_of(url, answer.text, "posts"):
                if view_of(urlsplit(target).path) in self.post_views and self.wanted(target):
                    self.found_on.setdefault(target, url)
                    self.fetch(target, method="post")
            parts = urlsplit(url)
            if not parts.query and parts.path not in exported and is_list(parts.path):
                exported.add(parts.path)
                queue.append(f"{parts.path}?export=xlsx")
        if api:
            self.crawl_api()
        return self.answers

    def crawl_api(self, accept=JSON_ACCEPT):
        """Page 1 of every list route of the OpenAPI schema, then one or two records of each and their GET
        actions (``{id}`` routes)."""
        schema = self.client.get("/api/schema/?format=json", HTTP_ACCEPT=JSON_ACCEPT)
        if schema.status_code != 200:
            return
        paths = {p: ops for p, ops in json.loads(schema.content)["paths"].items() if "get" in ops}
        for path in sorted(p for p in paths if "{" not in p):
            answer = self.fetch(f"{path}?page=1", accept=accept, force=True)
            if answer is None or answer.status != 200 or answer.kind != "json":
                continue
            for pk in ids_in(self.client, path)[:2]:
                for template in sorted(p for p in paths if p.startswith(f"{path}{{")):
                    self.fetch(re.sub(r"\{[^}]+\}", str(pk), template, count=1), accept=accept, force=True)


def ids_in(client, path):
    """The ids of the first records an API list answers."""
    data = json.loads(client.get(f"{path}?page=1", HTTP_ACCEPT=JSON_ACCEPT).content)
    rows = data.get("results", data) if isinstance(data, dict) else data
    return (
        [row["id"] for row in rows if isinstance(row, dict) and "id" in row] if isinstance(rows, list) else []
    )


def with_query(path, **params):
    return f"{path}?{urlencode(params)}"


# The scanner ----------------------------------------------------------------------------------------
ID_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE_PATTERN = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
MARKER_PATTERN = re.compile(r"⟦([a-z_]+)-(\d+)⟧")


def marker(label, pk):
    return f"⟦{label}-{pk}⟧"


def valid_id_number(text):
    try:
        parse_id_number(text)
    except Exception:  # noqa: BLE001 - anything parse_id_number refuses is no ID number
        return False
    return True


@dataclass(frozen=True)
class Finding:
    what: str  # "marker", "id_number", "mobile", "masked_with_birth_date"
    url: str
    detail: str
    snippet: str
    kind: str = ""  # the answer's kind (html, json, xlsx…)

    def __str__(self):
        return f"{self.what} {self.detail} at {self.url} ({self.kind}): …{self.snippet}…"


@dataclass
class Person:
    """What the scanner knows of a person: the full values and the masked form with the birth date."""

    pk: int
    id_number: str
    mobile: str
    masked: str
    birth_dates: tuple  # the birth date as pages may write it


@dataclass
class Scanner:
    allowed_markers: set  # markers of the records the account may see
    people: list  # [Person]
    revealable: set = field(default_factory=set)  # pks of the people the account may reveal
    # views that reveal on purpose: the people of the ids in their URL, or every person the account may reveal
    reveal_views: dict = field(
        default_factory=lambda: {
            "people:person_reveal": "url",
            "people-person-reveal": "url",
            "imports:export": "all",  # the import workbook: in full for the people the account may reveal
        }
    )

    def scan(self, answers):
        findings = []
        for answer in answers:
            findings.extend(self.scan_answer(answer))
        return findings

    def revealed_here(self, answer):
        """The people whose full values this answer may carry: a reveal the account may do."""
        how = self.reveal_views.get(answer.view)
        if how is None:
            return set()
        if how == "all":
            return set(self.revealable)
        numbers = [int(n) for n in re.findall(r"/(\d+)/", answer.url)]
        return {pk for pk in numbers if pk in self.revealable}

    def scan_answer(self, answer):
        text = answer.text
        found = []
        for match in MARKER_PATTERN.finditer(text):
            if match.group(0) not in self.allowed_markers:
                found.append(
                    Finding("marker", answer.url, match.group(0), answer.snippet(*match.span()), answer.kind)
                )
        revealed = self.revealed_here(answer)
        allowed_values = {v for p in self.people if p.pk in revealed for v in (p.id_number, p.mobile) if v}
        for person in self.people:
            for what, value in (("id_number", person.id_number), ("mobile", person.mobile)):
                if value and value not in allowed_values:
                    start = text.find(value)
                    if start >= 0:
                        found.append(
                            Finding(
                                what,
                                answer.url,
                                f"person {person.pk}",
                                answer.snippet(start, start + len(value)),
                                answer.kind,
                            )
                        )
            # Beside the masked number the birth date narrows it down: only for a person the account may
            # reveal anyway is the pair no leak.
            if person.masked and person.masked in text and person.pk not in self.revealable:
                for birth in person.birth_dates:
                    start = text.find(birth)
                    if start >= 0:
                        found.append(
                            Finding(
                                "masked_with_birth_date",
                                answer.url,
                                f"person {person.pk}",
                                answer.snippet(start, start + len(birth)),
                                answer.kind,
                            )
                        )
                        break
        known = {v for p in self.people for v in (p.id_number, p.mobile) if v}
        for pattern, what, valid in (
            (ID_PATTERN, "id_number", valid_id_number),
            (MOBILE_PATTERN, "mobile", bool),
        ):
            for match in pattern.finditer(text):
                value = match.group(0)
                if value in known or value in allowed_values or not valid(value):
                    continue  # a real value was reported above (or is allowed here)
                found.append(Finding(what, answer.url, "pattern", answer.snippet(*match.span()), answer.kind))
        return found


def table_answers():
    """Every stored text of every table as answers (``table:<model>``), so that the scanner finds a full
    identifier written where it must not be (the access log's paths, change records, import problems…).
    The sealed and indexed columns (``*_cipher``, ``*_index``, binary contents) are left out: they hold no
    identifier in clear by construction."""
    from django.apps import apps
    from django.db import models

    answers = []
    for model in apps.get_models():
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
            and not f.name.endswith(("_cipher", "_index"))
        ]
        if not names:
            continue
        rows = model._base_manager.values_list(*names)
        text = "\n".join(json.dumps(row, ensure_ascii=False, default=str) for row in rows)
        answers.append(Answer(f"table:{model._meta.label_lower}", 200, "table", text))
    return answers
