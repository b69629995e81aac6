"""Member development as data: the five stages and 25 steps of 《中国共产党发展党员工作细则》(2014) and the
parameters of their checks (domain-rules.md §1, §7, §7b). The engine (``engine.py``) reads these tables;
no view or import holds step logic of its own.

A step names what must come before it (``requires``), the earliest date relative to an earlier step
(``earliest``), its deadline relative to an earlier step (``deadline``, with a hard limit where the rules
allow a late step in special cases), the data it carries (``fields``) and the checks run on that data
(``checks``). Every rule has a key, a text and its source; a refusal quotes them. Values the fact sheet
marks LOCAL or UNCONFIRMED are parameters with a default, not constants in code.

Versions (domain-rules §0.1): the tables are a registry of ``RuleVersion``s, each with an effective date;
the 2014 细则 is the first, and a revision is loaded as data (``load_version``) changing parameters from a
date on. The engine judges each step by the version in force on the step's date (``judged_on``) and the
recorded step keeps the version's code (``DevelopmentEvent.rules_version``).

Calendar convention (domain-rules §7b leaves it open): "n months after" a date is the same day n months
later, or the month's last day when that day does not exist (2025-01-31 + 1 month = 2025-02-28).
"""

import contextlib
import contextvars
import datetime
import functools
import json
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from redengine.core.dates import add_months  # noqa: F401 (the engine's calendar, shared with the registry)

# The three kinds of rule (domain-rules §0.1), each treated one way in forms, the API and imports alike.
VALIDITY = "validity"  # without it the development is invalid: refused, and no role may override it
EXCEPTION = "exception"  # a text allows exceptions: an administrator records the step with a written reason
TIME_LIMIT = (
    "time_limit"  # a time limit on the organization's own work: recorded as it happened, flagged late
)


@dataclass(frozen=True)
class Rule:
    key: str
    text: str
    source: str
    kind: str = VALIDITY

    @property
    def overridable(self):
        """Whether an administrator may record a step against it, with a written reason (an exception the
        text itself allows)."""
        return self.kind == EXCEPTION


@dataclass(frozen=True)
class After:
    """A date relative to an earlier step: ``step`` + ``months`` (a parameter name or a number)."""

    step: str
    months: object
    rule: str


@dataclass(frozen=True)
class Step:
    code: str
    stage: int
    name: object
    actor: object
    requires: tuple = ()
    earliest: tuple = ()  # of After: not before any of these dates
    deadline: After | None = None  # due by this date
    hard_limit: After | None = None  # never after this date, even with a reason
    fields: tuple = ()  # data the step carries (see FIELDS)
    checks: tuple = ()  # rule keys checked on the step's data
    repeatable: bool = False
    source: str = ""


STAGES = {
    1: _("Application"),
    2: _("Activist"),
    3: _("Candidate"),
    4: _("Admission"),
    5: _("Probation and conversion"),
}

# Parameters (domain-rules §7). A deployment changes a default here; the rules quote the values.
PARAMETERS = {
    "dev.min_age": 18,  # central: Constitution art. 1; 细则 art. 5
    "dev.talk_deadline_months": 1,  # central: 细则 art. 7
    "dev.min_months_application_to_activist": 0,  # LOCAL (often 6), UNCONFIRMED: off by default
    "dev.contacts_min": 1,  # central: 细则 art. 9
    "dev.contacts_max": 2,
    "dev.contact_max_open_cases": 3,  # LOCAL, UNCONFIRMED: cases one contact guides at a time
    "dev.assessment_interval_months": 6,  # central: 细则 art. 11 (read as below)
    # 1: one assessment in each calendar half-year (January–June, July–December) after the one in which the
    # person became an activist (domain-rules §0.1); 0: within six months of the previous one.
    "dev.assessment_by_calendar_half_year": 1,
    "conv.discussion_deadline_months": 1,  # LOCAL reading of 细则 art. 32 "预备期满" (the month it ends)
    "dev.min_activist_months": 12,  # central: 细则 art. 13 (one year)
    "dev.introducers": 2,  # central: 细则 art. 14
    "dev.training_min_days": 3,  # central: 细则 art. 17
    "dev.training_min_hours": 24,
    "dev.approval_deadline_months": 3,  # [S11]
    "dev.approval_limit_months": 6,
    "prob.length_months": 12,  # Constitution art. 7
    "prob.extension_min_months": 6,  # 细则 art. 32
    "prob.extension_max_months": 12,
    "conv.approval_deadline_months": 3,  # secondary source
    "dev.publicity_min_working_days": 0,  # LOCAL (often 5 工作日), UNCONFIRMED: off in the 2014 version
    "plan.young_max_age": 45,  # "young and middle-aged" backbone teachers: LOCAL, UNCONFIRMED
}


@dataclass(frozen=True)
class RuleVersion:
    """A version of the rule table (domain-rules §0.1 "Versions"): in force from ``effective`` until the
    next version's date, with its own parameters. A step is judged by the version in force on its date."""

    version: str
    effective: datetime.date
    title: str
    source: str
    parameters: dict = field(hash=False, compare=False)

    def __str__(self):
        return f"{self.title}（{self.version}）"


# The 2014 细则 (issued by the General Office of the Central Committee on 10 June 2014): the first version.
# Its parameters are PARAMETERS itself, so a parameter added above belongs to it.
VERSIONS = [
    RuleVersion(
        "2014",
        datetime.date(2014, 6, 10),
        "《中国共产党发展党员工作细则》",
        "中共中央办公厅2014年6月10日印发",
        PARAMETERS,
    )
]


def load_version(data):
    """Register a later version from plain data — the same shape a bureau's JSON file has::

        {"version": "2026", "effective": "2026-07-01", "title": "...", "source": "...",
         "parameters": {"dev.min_activist_months": 18}}

    ``parameters`` lists only what changes from the version in force before it; every name must be a
    parameter of the rules and every value a whole number. Returns the version registered.
    """
    if isinstance(data, str):
        data = json.loads(data)
    try:
        code, effective = str(data["version"]), datetime.date.fromisoformat(str(data["effective"]))
        title, source, changes = str(data["title"]), str(data["source"]), dict(data.get("parameters") or {})
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(
            f"a rule version needs version, effective (YYYY-MM-DD), title and source: {exc}"
        ) from exc
    unknown = sorted(set(changes) - set(PARAMETERS))
    if unknown:
        raise ValueError(f"unknown parameters: {', '.join(unknown)}")
    if any(not isinstance(value, int) or isinstance(value, bool) for value in changes.values()):
        raise ValueError("parameter values are whole numbers")
    if any(v.version == code or v.effective == effective for v in VERSIONS):
        raise ValueError(f"version {code} or a version effective on {effective} is already loaded")
    base = version_on(effective)
    version = RuleVersion(code, effective, title, source, {**base.parameters, **changes})
    VERSIONS.append(version)
    VERSIONS.sort(key=lambda v: v.effective)
    return version


def unload_version(code):
    """Remove a loaded version (never the first)."""
    VERSIONS[:] = [v for v in VERSIONS if v.version != code or v is VERSIONS[0]]


def version_on(day):
    """The version in force on ``day`` (the first version for a day before it)."""
    found = VERSIONS[0]
    for version in VERSIONS:
        if version.effective <= day:
            found = version
    return found


_judged = contextvars.ContextVar("development_rules_version", default=None)


@contextlib.contextmanager
def judged_on(day):
    """Judge by the version in force on ``day`` within the block (``param`` reads it)."""
    token = _judged.set(version_on(day))
    try:
        yield _judged.get()
    finally:
        _judged.reset(token)


def judged_on_step_date(function):
    """Run ``function(done, code, date, ...)`` under the version in force on the step's ``date``."""

    @functools.wraps(function)
    def run(done, code, date, *args, **kwargs):
        with judged_on(date):
            return function(done, code, date, *args, **kwargs)

    return run


def current_version():
    """The version a judgement runs under: the step's (``judged_on``), else the one in force today."""
    return _judged.get() or version_on(timezone.localdate())


def param(name, on=None):
    """A parameter of the version in force on ``on`` (default: the step judged, else today)."""
    version = version_on(on) if on is not None else current_version()
    return version.parameters[name]


def version_named(code):
    return next((v for v in VERSIONS if v.version == code), None)


RULES = {
    rule.key: rule
    for rule in [
        Rule(
            "DEV.AGE_MIN",
            _("The applicant must be 18 or older on the date of the application."),
            "党章第一条；《发展党员工作细则》第五条",
        ),
        Rule(
            "DEV.ORDER",
            _("A step comes only after the steps it requires."),
            "《发展党员工作细则》（五个阶段、二十五个步骤）",
        ),
        Rule(
            "DEV.ONCE",
            _("Each step is recorded once (a repeated step is a correction of the one recorded)."),
            "《发展党员工作细则》",
        ),
        Rule(
            "DEV.NOT_FUTURE",
            _("A step cannot be dated in the future."),
            "《发展党员工作细则》",
        ),
        Rule(
            "DEV.TALK_DEADLINE",
            _(
                "The party organization talks with the applicant within one month of receiving the application."
            ),
            "《发展党员工作细则》第七条",
            kind=TIME_LIMIT,
        ),
        Rule(
            "DEV.APPLICATION_TO_ACTIVIST",
            _("An activist is determined only after the minimum time since the application (a local rule)."),
            "地方规定（可配置）",
            kind=EXCEPTION,
        ),
        Rule(
            "DEV.CONTACTS",
            _("One or two training contacts, each a full party member other than the person."),
            "《发展党员工作细则》第九条",
        ),
        Rule(
            "DEV.CONTACT_LOAD",
            _("A training contact guides only a limited number of open cases at a time (a local rule)."),
            "地方规定（可配置）",
            kind=EXCEPTION,
        ),
        Rule(
            "DEV.ASSESSMENT_INTERVAL",
            _("The branch assesses each activist once in every half year (January–June, July–December)."),
            "《发展党员工作细则》第十一条",
            kind=TIME_LIMIT,
        ),
        Rule(
            "DEV.MIN_ACTIVIST_PERIOD",
            _("A candidate is determined only after more than one year of cultivation as an activist."),
            "《发展党员工作细则》第十三条",
        ),
        Rule(
            "DEV.INTRODUCERS",
            _(
                "Exactly two introducers, each a full party member other than the person and not under "
                "留党察看."
            ),
            "《发展党员工作细则》第十四条",
        ),
        Rule(
            "DEV.POLITICAL_REVIEW",
            _(
                "Without a political review that concludes the person qualifies, the person cannot be developed."
            ),
            "《发展党员工作细则》第十六条",
        ),
        Rule(
            "DEV.TRAINING_MIN",
            _("The candidate's centralized training lasts at least 3 days or 24 class hours."),
            "《发展党员工作细则》第十七条",
            kind=EXCEPTION,
        ),
        Rule(
            "DEV.PUBLICITY",
            _("The publicity ends before the application form is issued, and its period is given in order."),
            "地方规定（未经公示不发志愿书）",
            kind=EXCEPTION,
        ),
        Rule(
            "DEV.FORM_SERIAL",
            _("Each application form number is used for one person only."),
            "《中国共产党入党志愿书》管理规定",
        ),
        Rule(
            "VOTE.FIGURES",
            _(
                "The vote figures must add up: present at most those who should attend, ballots at most those present."
            ),
            "《发展党员工作细则》第二十条",
        ),
        Rule(
            "VOTE.QUORUM",
            _("More than half of the voting full members who should attend must be present."),
            "《发展党员工作细则》第二十条；《中国共产党支部工作条例（试行）》第十一条",
        ),
        Rule(
            "VOTE.PASS",
            _(
                "Yes votes (with written opinions submitted beforehand) must exceed half of the voting full "
                "members who should attend."
            ),
            "《发展党员工作细则》第二十一条；《中国共产党支部工作条例（试行）》第十一条",
        ),
        Rule(
            "DEV.APPROVAL_DEADLINE",
            _("The superior committee approves the admission within three months of the branch resolution."),
            "《发展党员工作细则》（审批时限）",
            kind=TIME_LIMIT,
        ),
        Rule(
            "DEV.APPROVAL_LIMIT",
            _(
                "An admission the superior committee has not approved within six months of the branch resolution "
                "can no longer be approved."
            ),
            "《发展党员工作细则》（审批时限）",
        ),
        Rule(
            "PROB.LENGTH",
            _(
                "The probation lasts one year from the branch general meeting: conversion is discussed only when it ends."
            ),
            "党章第七条；《发展党员工作细则》第三十二条",
        ),
        Rule(
            "CONV.DISCUSSION_DUE",
            _(
                "When the probation ends, the branch discusses the conversion in good time (a branch general "
                "meeting within the month)."
            ),
            "党章第七条；《发展党员工作细则》第三十二条",
            kind=TIME_LIMIT,
        ),
        Rule(
            "PROB.EXTEND",
            _("Probation may be extended once, by at least six months and at most one year."),
            "党章第七条；《发展党员工作细则》第三十二条",
        ),
        Rule(
            "PROB.STANDING",
            _(
                "A probationary member whose membership is suspended or out of contact, or has ended, cannot be "
                "converted to full membership."
            ),
            "党章第七条、第九条；《中国共产党党员教育管理工作条例》第二十四条",
        ),
        Rule(
            "CONV.APPROVAL_DEADLINE",
            _("The superior committee approves the conversion within three months of the branch resolution."),
            "《发展党员工作细则》（审批时限）",
            kind=TIME_LIMIT,
        ),
    ]
}

# The field of the step's form a refusal of each rule is about (marked on it); others go above the form.
RULE_FIELDS = {
    "DEV.AGE_MIN": "date",
    "DEV.ORDER": "step",
    "DEV.ONCE": "step",
    "DEV.NOT_FUTURE": "date",
    "DEV.APPLICATION_TO_ACTIVIST": "date",
    "DEV.CONTACTS": "contacts",
    "DEV.CONTACT_LOAD": "contacts",
    "DEV.MIN_ACTIVIST_PERIOD": "date",
    "DEV.INTRODUCERS": "introducers",
    "DEV.TRAINING_MIN": "days",
    "DEV.PUBLICITY": "publicity_from",
    "DEV.FORM_SERIAL": "form_serial",
    "VOTE.FIGURES": "present",
    "VOTE.QUORUM": "present",
    "VOTE.PASS": "yes",
    "DEV.APPROVAL_LIMIT": "date",
    "PROB.LENGTH": "date",
    "PROB.EXTEND": "extension_months",
    "PROB.STANDING": "step",
}

# Data a step carries: field key → (label, kind). Kinds: int, date, text, people, choice.
FIELDS = {
    "contacts": (_("Training contacts"), "people"),
    "introducers": (_("Introducers"), "people"),
    "assessment": (_("Assessment"), "text"),
    "conclusion": (_("Conclusion of the review"), "choice"),
    "course": (_("Course"), "text"),
    "days": (_("Days of training"), "int"),
    "hours": (_("Class hours"), "int"),
    "publicity_from": (_("Publicity from"), "date"),
    "publicity_to": (_("Publicity to"), "date"),
    "objections": (_("Objections raised in the publicity"), "text"),
    "form_serial": (_("Application form number"), "text"),
    "should_attend": (_("Voting full members who should attend"), "derived"),
    "excused": (_("Members excused (detained, abroad, ill…)"), "people"),
    "present": (_("Voting full members present"), "int"),
    "yes": (_("Yes votes"), "int"),
    "written_yes": (_("Written yes opinions submitted beforehand"), "int"),
    "no": (_("No votes"), "int"),
    "abstain": (_("Abstentions"), "int"),
    "approval_number": (_("Approval document number"), "text"),
    "outcome": (_("Decision"), "choice"),
    "extension_months": (_("Extension (months)"), "int"),
}
CONCLUSIONS = [("qualified", _("Qualified")), ("not_qualified", _("Not qualified"))]
OUTCOMES = [
    ("convert", _("Convert on time")),
    ("extend", _("Extend the probation")),
    ("cancel", _("Cancel the probation")),
]
CHOICES = {"conclusion": CONCLUSIONS, "outcome": OUTCOMES}
VOTE_FIELDS = ("should_attend", "present", "yes", "written_yes", "no", "abstain")

STEPS = [
    # Stage 1 — application (申请入党)
    Step(
        "S01",
        1,
        _("Submit the written application"),
        _("Applicant"),
        checks=("DEV.AGE_MIN",),
        source="细则第五、六条",
    ),
    Step(
        "S02",
        1,
        _("Talk with the applicant"),
        _("Branch"),
        requires=("S01",),
        deadline=After("S01", "dev.talk_deadline_months", "DEV.TALK_DEADLINE"),
        source="细则第七条",
    ),
    # Stage 2 — activists (入党积极分子的确定和培养教育)
    Step(
        "S03",
        2,
        _("Determine as activist"),
        _("Branch committee"),
        requires=("S02",),
        earliest=(After("S01", "dev.min_months_application_to_activist", "DEV.APPLICATION_TO_ACTIVIST"),),
        source="细则第八条",
    ),
    Step(
        "S04",
        2,
        _("File the activist with the superior committee"),
        _("Branch"),
        requires=("S03",),
        source="细则第八条",
    ),
    Step(
        "S05",
        2,
        _("Appoint training contacts"),
        _("Branch"),
        requires=("S03",),
        fields=("contacts",),
        checks=("DEV.CONTACTS", "DEV.CONTACT_LOAD"),
        source="细则第九条",
    ),
    Step(
        "S06",
        2,
        _("Half-yearly assessment of the activist"),
        _("Branch"),
        requires=("S05",),
        fields=("assessment",),
        repeatable=True,
        deadline=After("S03", "dev.assessment_interval_months", "DEV.ASSESSMENT_INTERVAL"),
        source="细则第十一条",
    ),
    # Stage 3 — candidates (发展对象的确定和考察)
    Step(
        "S07",
        3,
        _("Determine as candidate"),
        _("Branch committee"),
        requires=("S04", "S06"),
        earliest=(After("S03", "dev.min_activist_months", "DEV.MIN_ACTIVIST_PERIOD"),),
        source="细则第十三条",
    ),
    Step(
        "S08",
        3,
        _("File the candidate with the superior committee"),
        _("Branch"),
        requires=("S07",),
        source="细则第十三条",
    ),
    Step(
        "S09",
        3,
        _("Determine the introducers"),
        _("Branch"),
        requires=("S08",),
        fields=("introducers",),
        checks=("DEV.INTRODUCERS",),
        source="细则第十四条",
    ),
    Step(
        "S10",
        3,
        _("Political review"),
        _("Branch / primary committee"),
        requires=("S08",),
        fields=("conclusion",),
        source="细则第十六条",
    ),
    Step(
        "S11",
        3,
        _("Short-term centralized training"),
        _("Primary committee"),
        requires=("S08",),
        fields=("course", "days", "hours"),
        checks=("DEV.TRAINING_MIN",),
        source="细则第十七条",
    ),
    # Stage 4 — admission (预备党员的接收)
    Step(
        "S12",
        4,
        _("Examination by the branch committee"),
        _("Branch committee"),
        requires=("S09", "S10", "S11"),
        checks=("DEV.POLITICAL_REVIEW",),
        source="细则第十六、十八、十九条",
    ),
    Step(
        "S13",
        4,
        _("Pre-examination by the superior committee"),
        _("Primary committee"),
        requires=("S12",),
        fields=("publicity_from", "publicity_to", "objections", "form_serial"),
        checks=("DEV.PUBLICITY", "DEV.FORM_SERIAL"),
        source="细则第十九条",
    ),
    Step(
        "S14",
        4,
        _("Fill in the application form"),
        _("Applicant, with the introducers"),
        requires=("S13",),
        source="细则",
    ),
    Step(
        "S15",
        4,
        _("Admission by the branch general meeting"),
        _("Branch general meeting"),
        requires=("S14",),
        fields=(*VOTE_FIELDS, "excused"),
        checks=("VOTE.FIGURES", "VOTE.QUORUM", "VOTE.PASS"),
        source="细则第二十、二十一条",
    ),
    Step(
        "S16",
        4,
        _("Talk by the superior committee"),
        _("Primary committee member or organizer"),
        requires=("S15",),
        source="细则",
    ),
    Step(
        "S17",
        4,
        _("Approval by the superior committee"),
        _("Primary committee"),
        requires=("S16",),
        fields=("approval_number",),
        deadline=After("S15", "dev.approval_deadline_months", "DEV.APPROVAL_DEADLINE"),
        hard_limit=After("S15", "dev.approval_limit_months", "DEV.APPROVAL_LIMIT"),
        source="细则",
    ),
    Step(
        "S18",
        4,
        _("Filing with the organization department one level up"),
        _("Primary committee"),
        requires=("S17",),
        source="细则",
    ),
    # Stage 5 — probation and conversion (预备党员的教育考察和转正)
    Step(
        "S19", 5, _("Placed in a branch and party group"), _("Branch"), requires=("S17",), source="党章第八条"
    ),
    Step(
        "S20",
        5,
        _("Admission oath"),
        _("Primary committee or branch"),
        requires=("S17",),
        source="党章第六条",
    ),
    Step(
        "S21",
        5,
        _("Continued education and assessment"),
        _("Branch"),
        requires=("S19",),
        fields=("assessment",),
        repeatable=True,
        source="地方规定",
    ),
    Step(
        "S22",
        5,
        _("Application for conversion"),
        _("Probationary member"),
        requires=("S17",),
        source="细则第三十三条",
    ),
    Step(
        "S23",
        5,
        _("Conversion by the branch general meeting"),
        _("Branch general meeting"),
        requires=("S22",),
        # Due once the admission is approved (S17), when the probation ends, extended or not (``engine.due_on``).
        deadline=After("S17", "conv.discussion_deadline_months", "CONV.DISCUSSION_DUE"),
        fields=(*VOTE_FIELDS, "excused", "outcome", "extension_months"),
        checks=("VOTE.FIGURES", "VOTE.QUORUM", "VOTE.PASS", "PROB.LENGTH", "PROB.EXTEND"),
        source="细则第三十二、三十三条",
    ),
    Step(
        "S24",
        5,
        _("Approval of the conversion by the superior committee"),
        _("Primary committee"),
        requires=("S23",),
        fields=("approval_number",),
        checks=("PROB.STANDING",),
        deadline=After("S23", "conv.approval_deadline_months", "CONV.APPROVAL_DEADLINE"),
        source="细则",
    ),
    Step(
        "S25",
        5,
        _("File the materials"),
        _("Branch, primary committee"),
        requires=("S24",),
        source="细则第三十七条",
    ),
]
STEP = {step.code: step for step in STEPS}
AGAIN_AFTER_EXTENSION = ("S23", "S24")  # an extended probation ends with another vote and approval
REPEATABLE = tuple(step.code for step in STEPS if step.repeatable) + AGAIN_AFTER_EXTENSION
ORDER = {step.code: index for index, step in enumerate(STEPS)}
STEP_CHOICES = [(step.code, step.code) for step in STEPS]

# Data that makes a step complete in the records; a step imported without it is flagged incomplete.
REQUIRED_DATA = {
    "S05": ("contacts",),
    "S09": ("introducers",),
    "S10": ("conclusion",),
    "S11": ("days", "hours"),
    "S13": ("form_serial",),
    "S15": ("should_attend", "present", "yes"),
    "S17": ("approval_number",),
    "S23": ("should_attend", "present", "yes", "outcome"),
    "S24": ("approval_number",),
}


@dataclass
class Violation:
    rule: str
    detail: str = ""
    fields: tuple = field(default_factory=tuple)
    hard: bool = False  # past a limit that no exception lifts
    due: object = None  # the date a time limit fell on (a late step)

    @property
    def definition(self):
        return RULES[self.rule]

    @property
    def overridable(self):
        return RULES[self.rule].overridable and not self.hard

    @property
    def kind(self):
        return RULES[self.rule].kind

    @property
    def late(self):
        """A time limit missed: the step is recorded and flagged, not refused."""
        return self.kind == TIME_LIMIT and not self.hard

    def message(self):
        """The rule in plain words with its source — never its internal key."""
        rule = RULES[self.rule]
        text = gettext("%(rule)s (%(source)s)") % {"rule": rule.text, "source": rule.source}
        return gettext("%(detail)s %(rule)s") % {"detail": self.detail, "rule": text} if self.detail else text
