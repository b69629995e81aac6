"""The rules engine: checks a step against a case's earlier steps and plans what is due next.

Pure functions over plain values (``Done`` steps, a birth date, a ``Lookups`` object answering the few
questions that need the database), so that the same code checks a step typed in a form, sent through
the API or read from an import, and so that a property test can drive it with generated sequences.
Everything it knows about the steps comes from the tables of ``rules.py``.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.utils.translation import gettext as _

from redengine.core import workdays

from . import rules
from .rules import STEP, Violation, add_months, param


@dataclass(frozen=True)
class Done:
    """A step already recorded: its code, date and data."""

    step: str
    date: datetime.date
    data: dict = field(default_factory=dict, hash=False, compare=False)


class Lookups:
    """What the checks ask of the database; a caller passes one that answers from its own data."""

    def full_members(self, person_ids, day):
        """The ids among ``person_ids`` who are full party members on ``day``."""
        return set()

    def contact_load(self, person_ids):
        """Open cases each of ``person_ids`` guides as a training contact (other than the case checked)."""
        return {}

    def serial_used(self, serial):
        """Whether another case already uses this application form number."""
        return False

    def standing(self, person_id, day):
        """Why the person's membership is not in good standing on ``day`` (suspended, out of contact, ended:
        a text), or None."""
        return

    def working_days(self, start, end):
        """``core.workdays.WorkingDays`` from ``start`` to ``end`` (here Monday to Friday, no table loaded)."""
        return workdays.working_days_between(start, end, workdays.MONDAY_TO_FRIDAY)


def add_years(day, years):
    return add_months(day, 12 * years)


def first(done, code):
    return next((d for d in done if d.step == code), None)


def every(done, code):
    return [d for d in done if d.step == code]


def extension_months(done):
    """Months of probation extension decided so far (at most one extension)."""
    return sum(
        int(d.data.get("extension_months") or 0)
        for d in every(done, "S23")
        if d.data.get("outcome") == "extend"
    )


def probation_end(done):
    admission = first(done, "S15")
    if admission is None:
        return None
    return add_months(admission.date, param("prob.length_months") + extension_months(done))


def _int(data, key):
    value = data.get(key)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# Checks on a step -----------------------------------------------------------------------------------
@rules.judged_on_step_date  # the version of the rules in force on the step's date
def check(done, code, date, data, *, person_id=None, birth_date=None, today, lookups=None):
    """The violations of recording step ``code`` on ``date`` with ``data`` after the steps ``done``.

    An empty list means the step may be recorded. Violations carry the rule (its text and source);
    Each violation has the kind of its rule (domain-rules §0.1): a condition of validity refuses the step
    and nothing lifts it; an exception the texts allow (``Violation.overridable``) may be recorded by an
    administrator with a written reason; a missed time limit (``Violation.late``) is no refusal: the step
    is recorded as it happened and flagged late.
    """
    lookups = lookups or Lookups()
    step = STEP[code]
    data = data or {}
    done = sorted(done, key=lambda d: (d.date, rules.ORDER[d.step]))
    found = []
    if date > today:
        found.append(Violation("DEV.NOT_FUTURE"))
    found += _check_once(done, code)
    found += _check_order(done, step, date, data)
    found += _check_dates(done, step, date, data)
    for key in step.checks:
        found += CHECKS[key](
            done=done, date=date, data=data, person_id=person_id, birth_date=birth_date, lookups=lookups
        )
    return found


def _check_once(done, code):
    count = len(every(done, code))
    if code in rules.AGAIN_AFTER_EXTENSION:
        extensions = sum(1 for d in every(done, "S23") if d.data.get("outcome") == "extend")
        if count > extensions:  # one vote and one approval, plus one more after an extension
            return [Violation("DEV.ONCE")]
        return []
    if count and not STEP[code].repeatable:
        return [Violation("DEV.ONCE")]
    return []


def label(code):
    """A step by its code and name, as every message names it (a code never stands alone)."""
    return f"{code} {STEP[code].name}"


def _check_order(done, step, date, data=None):
    requires = step.requires
    if step.code == "S23" and (data or {}).get("outcome") == "cancel":
        # 细则 art. 32: a cancellation may come at any time of the probation, without the member's application.
        requires = ("S17",)
    missing = [code for code in requires if first(done, code) is None]
    found = []
    if missing:
        names = "、".join(label(code) for code in missing)
        found.append(
            Violation(
                "DEV.ORDER",
                detail=_("%(step)s needs first: %(names)s.") % {"step": label(step.code), "names": names},
            )
        )
    later = [d for d in done if d.step in requires and d.date > date]
    if later:
        found.append(
            Violation(
                "DEV.ORDER",
                detail=_("%(step)s is dated before %(earlier)s (%(date)s).")
                % {
                    "step": label(step.code),
                    "earlier": label(later[-1].step),
                    "date": later[-1].date.isoformat(),
                },
            )
        )
    if step.code == "S24":
        votes, approvals = every(done, "S23"), every(done, "S24")
        if len(approvals) >= len(votes) and votes:
            found.append(Violation("DEV.ORDER", detail=_("S24 approves a decision of S23 not yet approved.")))
    if step.code == "S23" and every(done, "S23") and len(every(done, "S24")) < len(every(done, "S23")):
        found.append(
            Violation(
                "DEV.ORDER",
                detail=_(
                    "An extension of the probation is approved (S24) before the conversion is discussed again."
                ),
            )
        )
    if step.code not in ("S23", "S24") and any(
        d.step == "S23" and d.data.get("outcome") == "cancel" for d in done
    ):
        found.append(Violation("DEV.ORDER", detail=_("The probation was cancelled.")))
    return found


def _base_date(done, after, code):
    """The date ``after`` counts from; for a repeated assessment, the latest of its base and itself."""
    base = first(done, after.step)
    if base is None:
        return None
    if STEP[code].repeatable:
        earlier = [d.date for d in every(done, code)]
        return max([base.date, *earlier])
    return base.date


def _check_dates(done, step, date, data):
    found = []
    for after in step.earliest:
        base = _base_date(done, after, step.code)
        months = param(after.months) if isinstance(after.months, str) else after.months
        if base is not None and months and date < add_months(base, months):
            earliest = add_months(base, months)
            found.append(
                Violation(
                    after.rule,
                    detail=_("%(step)s from %(date)s on (%(months)s months after %(base)s).")
                    % {
                        "step": label(step.code),
                        "date": earliest.isoformat(),
                        "months": months,
                        "base": label(after.step),
                    },
                )
            )
    if step.hard_limit is not None:
        base = _base_date(done, step.hard_limit, step.code)
        if base is not None:
            limit = add_months(base, param(step.hard_limit.months))
            if date > limit:
                found.append(
                    Violation(
                        step.hard_limit.rule,
                        detail=_("%(step)s by %(date)s at the latest.")
                        % {"step": label(step.code), "date": limit.isoformat()},
                        hard=True,
                    )
                )
                return found
    if step.deadline is not None:
        due = due_on(done, step)
        if due is not None and date > due and not (step.code == "S23" and data.get("outcome") == "cancel"):
            # A time limit on the organization's work: the step is recorded as it happened, flagged late.
            found.append(
                Violation(
                    step.deadline.rule,
                    detail=_("%(step)s was due by %(date)s.")
                    % {"step": label(step.code), "date": due.isoformat()},
                    due=due,
                )
            )
    return found


def half_year_end(day):
    """The last day of the calendar half-year of ``day`` (30 June or 31 December)."""
    return datetime.date(day.year, 6, 30) if day.month <= 6 else datetime.date(day.year, 12, 31)


def next_half_year_end(day):
    """The last day of the calendar half-year after the one of ``day``."""
    return datetime.date(day.year, 12, 31) if day.month <= 6 else datetime.date(day.year + 1, 6, 30)


def due_on(done, step):
    """The date by which ``step`` is due after the steps ``done`` (None when its time limit does not run).

    - the half-yearly assessment (S06), read by calendar half-year (domain-rules §0.1, a parameter): by the
      end of the half-year after the one of the determination as an activist or of the latest assessment;
    - the conversion (S23): when the probation ends (extended or not), with ``conv.discussion_deadline_months``;
    - the approval of a conversion decision (S24): from the latest decision (S23);
    - the others: ``deadline.months`` after their base step.
    """
    if step.deadline is None:
        return None
    if step.code == "S23":
        # The admission meeting (S15) + the probation (+ its extension) + the time to discuss it, in one count
        # of months on the rules' calendar.
        admission = first(done, "S15")
        if admission is None or first(done, "S17") is None:
            return None
        months = (
            param("prob.length_months") + extension_months(done) + param("conv.discussion_deadline_months")
        )
        return add_months(admission.date, months)
    base = _latest_base(done, step)
    if base is None:
        return None
    if step.code == "S06" and param("dev.assessment_by_calendar_half_year"):
        return next_half_year_end(base)
    return add_months(base, param(step.deadline.months))


def _latest_base(done, step):
    if step.code == "S24":  # the approval of the latest decision
        votes = every(done, "S23")
        return votes[-1].date if votes else None
    return _base_date(done, step.deadline, step.code)


def _age(done, date, birth_date, **kwargs):
    if birth_date is not None and date < add_years(birth_date, param("dev.min_age")):
        return [
            Violation(
                "DEV.AGE_MIN",
                # Not the birth date itself: beside the masked ID number it would tell the number.
                detail=_("Under %(age)s on the date of the application.") % {"age": param("dev.min_age")},
            )
        ]
    return []


def _people(data, key):
    value = data.get(key) or []
    return [int(pk) for pk in value if str(pk).isdigit()]


def _members_rule(rule, key, low_param, high_param):
    def run(done, date, data, person_id, lookups, **kwargs):
        if key not in data:  # not given (an import without it): the step is flagged incomplete instead
            return []
        low, high = param(low_param), param(high_param)
        ids = _people(data, key)
        found = []
        if len(set(ids)) != len(ids) or not low <= len(ids) <= high:
            found.append(Violation(rule, detail=_("%(count)s given.") % {"count": len(set(ids))}))
        if person_id is not None and person_id in ids:
            found.append(Violation(rule, detail=_("The person cannot be their own.")))
        not_full = set(ids) - lookups.full_members(set(ids), date) - {person_id}
        if not_full:
            found.append(
                Violation(
                    rule,
                    detail=_(
                        "%(count)s of them not a full member with a vote (or under 留党察看) on %(date)s."
                    )
                    % {"count": len(not_full), "date": date.isoformat()},
                )
            )
        return found

    return run


def _contact_load(done, date, data, lookups, **kwargs):
    ids = _people(data, "contacts")
    limit = param("dev.contact_max_open_cases")
    busy = [pk for pk, count in lookups.contact_load(set(ids)).items() if count >= limit]
    if busy:
        return [
            Violation(
                "DEV.CONTACT_LOAD",
                detail=_("%(count)s of them already guide %(limit)s open cases.")
                % {"count": len(busy), "limit": limit},
            )
        ]
    return []


def _review(done, **kwargs):
    """细则 art. 16: without a political review concluded "qualified" the person cannot be developed — a
    review without a conclusion is not one that qualifies."""
    review = first(done, "S10")
    if review is None:
        return []  # the order of the steps refuses it already
    conclusion = review.data.get("conclusion")
    if conclusion == "qualified":
        return []
    if conclusion == "not_qualified":
        return [Violation("DEV.POLITICAL_REVIEW", detail=_("The political review concluded: not qualified."))]
    return [Violation("DEV.POLITICAL_REVIEW", detail=_("The political review has no conclusion recorded."))]


def _training(data, **kwargs):
    days, hours = _int(data, "days"), _int(data, "hours")
    if days is None and hours is None:
        return []
    if (days or 0) < param("dev.training_min_days") and (hours or 0) < param("dev.training_min_hours"):
        return [
            Violation(
                "DEV.TRAINING_MIN",
                detail=_("Given: %(days)s days, %(hours)s class hours.")
                % {"days": days or 0, "hours": hours or 0},
            )
        ]
    return []


def _publicity(date, data, lookups, **kwargs):
    start, end = data.get("publicity_from"), data.get("publicity_to")
    if not start and not end:
        return []
    try:
        start = datetime.date.fromisoformat(str(start)) if start else None
        end = datetime.date.fromisoformat(str(end)) if end else None
    except ValueError:
        return [Violation("DEV.PUBLICITY", detail=_("The publicity dates are not dates."))]
    if start is None or end is None or start > end or end > date:
        return [Violation("DEV.PUBLICITY")]
    return _publicity_period(start, end, lookups)


def _publicity_period(start, end, lookups):
    """At least ``dev.publicity_min_working_days`` working days on the holiday calendar, where the version
    of the rules in force sets one (domain-rules §0.1 "Working days"; off in the 2014 version)."""
    minimum = param("dev.publicity_min_working_days")
    if not minimum:
        return []
    counted = lookups.working_days(start, end)
    if counted.count >= minimum:
        return []
    detail = _("The publicity lasted %(count)s working days; at least %(minimum)s are required.") % {
        "count": counted.count,
        "minimum": minimum,
    }
    if counted.unloaded:
        detail += _(" No holiday calendar is loaded for %(years)s: counted Monday to Friday.") % {
            "years": ", ".join(map(str, counted.unloaded))
        }
    return [Violation("DEV.PUBLICITY", detail=detail)]


def _serial(data, lookups, **kwargs):
    serial = str(data.get("form_serial") or "").strip()
    if serial and lookups.serial_used(serial):
        return [
            Violation("DEV.FORM_SERIAL", detail=_("Number %(serial)s is already used.") % {"serial": serial})
        ]
    return []


def _vote_figures(data, **kwargs):
    should, present = _int(data, "should_attend"), _int(data, "present")
    if should is None or present is None:
        return []
    ballots = sum(_int(data, key) or 0 for key in ("yes", "no", "abstain"))
    written = _int(data, "written_yes") or 0
    if should < 1 or present > should or ballots > present or present + written > should:
        return [Violation("VOTE.FIGURES")]
    return []


def _quorum(data, **kwargs):
    should, present = _int(data, "should_attend"), _int(data, "present")
    if should is None or present is None:
        return []
    if not 2 * present > should:  # present > half of those who should attend (细则 art. 20)
        return [
            Violation(
                "VOTE.QUORUM",
                detail=_("%(should)s should attend, %(present)s present.")
                % {"should": should, "present": present},
            )
        ]
    return []


def _majority(data, **kwargs):
    should, yes = _int(data, "should_attend"), _int(data, "yes")
    if should is None or yes is None:
        return []
    # A cancellation too is a resolution passed by yes votes for it (细则 art. 32; domain-rules §0.2).
    agreed = yes + (_int(data, "written_yes") or 0)
    if not 2 * agreed > should:  # the denominator is those who should attend, not those present
        return [
            Violation(
                "VOTE.PASS",
                detail=_("%(should)s should attend, %(agreed)s in favour.")
                % {"should": should, "agreed": agreed},
            )
        ]
    return []


def _probation_length(done, date, data, **kwargs):
    if data.get("outcome") == "cancel":
        return []
    end = probation_end(done)
    if end is not None and date < end:
        return [
            Violation("PROB.LENGTH", detail=_("The probation ends on %(date)s.") % {"date": end.isoformat()})
        ]
    return []


def _extension(done, data, **kwargs):
    if data.get("outcome") != "extend":
        return []
    if extension_months(done):
        return [Violation("PROB.EXTEND", detail=_("The probation was already extended once."))]
    months = _int(data, "extension_months")
    low, high = param("prob.extension_min_months"), param("prob.extension_max_months")
    if months is None or not low <= months <= high:
        return [
            Violation(
                "PROB.EXTEND",
                detail=_("Extension given: %(months)s months.")
                % {"months": months if months is not None else "?"},
            )
        ]
    return []


def _standing(done, date, person_id, lookups, **kwargs):
    """The approval of a conversion (S24): the member is in good standing and the membership has not ended
    (a suspended, out-of-contact, removed or expelled member is not converted)."""
    votes = every(done, "S23")
    if person_id is None or not votes or votes[-1].data.get("outcome") != "convert":
        return []
    why = lookups.standing(person_id, date)
    return [Violation("PROB.STANDING", detail=why)] if why else []


CHECKS = {
    "DEV.AGE_MIN": _age,
    "DEV.CONTACTS": _members_rule("DEV.CONTACTS", "contacts", "dev.contacts_min", "dev.contacts_max"),
    "DEV.CONTACT_LOAD": _contact_load,
    "DEV.INTRODUCERS": _members_rule("DEV.INTRODUCERS", "introducers", "dev.introducers", "dev.introducers"),
    "DEV.POLITICAL_REVIEW": _review,
    "DEV.TRAINING_MIN": _training,
    "DEV.PUBLICITY": _publicity,
    "DEV.FORM_SERIAL": _serial,
    "VOTE.FIGURES": _vote_figures,
    "VOTE.QUORUM": _quorum,
    "VOTE.PASS": _majority,
    "PROB.LENGTH": _probation_length,
    "PROB.EXTEND": _extension,
    "PROB.STANDING": _standing,
}


def missing_data(code, data):
    """The data a step normally carries that ``data`` lacks (the step is then flagged incomplete)."""
    return [key for key in rules.REQUIRED_DATA.get(code, ()) if data.get(key) in (None, "", [])]


# The plan of a case ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Due:
    """A step that may be recorded next, from ``earliest`` and (if the rules say) by ``due``."""

    step: str
    earliest: datetime.date | None
    due: datetime.date | None
    earliest_rule: str = ""
    due_rule: str = ""
    ready: bool = True  # its required steps are done (else only its deadline already runs)

    def late(self, today):
        return self.due is not None and self.due < today


@dataclass
class Plan:
    stage: int = 1
    last: Done | None = None
    due: list = field(default_factory=list)
    admitted_on: datetime.date | None = None
    probation_ends_on: datetime.date | None = None
    converted_on: datetime.date | None = None
    finished: bool = False  # converted and filed
    cancelled: bool = False  # probation cancelled and the cancellation approved

    @property
    def next(self):
        """The next step along the path (an ongoing assessment only when nothing else is open)."""
        return self.due[0] if self.due else None

    @property
    def deadline(self):
        """The pending step whose deadline comes first (None when no pending step has one)."""
        dated = [item for item in self.due if item.due is not None]
        return min(dated, key=lambda item: (item.due, rules.ORDER[item.step])) if dated else None


def plan(done):
    """What the steps ``done`` mean for the case: its stage, dates, and what is due next (most urgent first)."""
    done = sorted(done, key=lambda d: (d.date, rules.ORDER[d.step]))
    result = Plan()
    if not done:
        return Plan(due=[Due("S01", None, None)])
    result.last = done[-1]
    result.stage = max(STEP[d.step].stage for d in done)
    approval = first(done, "S17")
    admission = first(done, "S15")
    if approval is not None and admission is not None:
        result.admitted_on = admission.date
    result.probation_ends_on = probation_end(done)
    votes, approvals = every(done, "S23"), every(done, "S24")
    decided = (
        votes[len(approvals) - 1].data.get("outcome") if approvals and len(approvals) <= len(votes) else None
    )
    if decided == "convert":
        result.converted_on = result.probation_ends_on
    if decided == "cancel":
        result.cancelled = True
        return result
    if decided == "convert" and first(done, "S25") is not None:
        result.finished = True
        return result
    items = []
    codes = {d.step for d in done}
    for step in rules.STEPS:
        if step.code in codes and not step.repeatable and step.code not in rules.AGAIN_AFTER_EXTENSION:
            continue
        if not _open(done, step, codes, decided):
            continue
        ready = all(code in codes for code in step.requires)
        if ready:
            items.append(_due_item(done, step))
        elif step.deadline is not None and step.deadline.step in codes:
            # Not yet possible, but its time limit already runs (the approval, from the branch meeting).
            items.append(replace(_due_item(done, step), ready=False))
    items.sort(key=lambda item: (not item.ready, STEP[item.step].repeatable, rules.ORDER[item.step]))
    result.due = items
    return result


def _open(done, step, codes, decided):
    """Whether the case still has ``step`` before it (its own conditions; not what it requires)."""
    if step.code == "S06":  # assessed every half year while an activist, until determined a candidate
        return "S07" not in codes
    if step.code == "S21":  # assessed while on probation, until converted
        return decided != "convert"
    if step.code == "S23":
        votes, approvals = every(done, "S23"), every(done, "S24")
        return len(votes) == len(approvals) and (not votes or decided == "extend")
    if step.code == "S24":
        return len(every(done, "S23")) > len(every(done, "S24"))
    if step.code == "S25":
        return decided == "convert"
    return True


def _due_item(done, step):
    prerequisites = [d.date for d in done if d.step in step.requires]
    earliest = max(prerequisites) if prerequisites else None
    earliest_rule = ""  # after the steps it requires: no rule worth quoting
    for after in step.earliest:
        base = _base_date(done, after, step.code)
        months = param(after.months) if isinstance(after.months, str) else after.months
        if base is not None and months:
            candidate = add_months(base, months)
            if earliest is None or candidate > earliest:
                earliest, earliest_rule = candidate, after.rule
    if step.code == "S23":
        end = probation_end(done)
        if end is not None and (earliest is None or end > earliest):
            earliest, earliest_rule = end, "PROB.LENGTH"
    due = due_on(done, step)
    due_rule = step.deadline.rule if due is not None else ""
    return Due(step.code, earliest, due, earliest_rule, due_rule)
