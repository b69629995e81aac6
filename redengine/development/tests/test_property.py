"""Property test: random step sequences, and the engine accepts exactly the steps that an independent,
simple reading of domain-rules.md §1 (written here from the fact sheet, not from rules.py) calls legal.

Each generated sequence is fed step by step, as a secretary would type it: a refused step is not
recorded and the next one is checked against what was. Contacts and introducers are always full
members here (their rules have tests of their own in test_rules.py)."""

import calendar
import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from redengine.development import engine

TODAY = datetime.date(2026, 11, 27)
ORDER = [f"S{n:02d}" for n in range(1, 26)]
# What each step needs before it (domain-rules §1.2, read independently).
NEEDS = {
    "S02": {"S01"},
    "S03": {"S02"},
    "S04": {"S03"},
    "S05": {"S03"},
    "S06": {"S05"},
    "S07": {"S04", "S06"},
    "S08": {"S07"},
    "S09": {"S08"},
    "S10": {"S08"},
    "S11": {"S08"},
    "S12": {"S09", "S10", "S11"},
    "S13": {"S12"},
    "S14": {"S13"},
    "S15": {"S14"},
    "S16": {"S15"},
    "S17": {"S16"},
    "S18": {"S17"},
    "S19": {"S17"},
    "S20": {"S17"},
    "S21": {"S19"},
    "S22": {"S17"},
    "S23": {"S22"},
    "S24": {"S23"},
    "S25": {"S24"},
}
AGAIN = {"S06", "S21"}  # assessments recur


def months_later(day, months):
    """Same day ``months`` later; the last day of the month when that day does not exist (§7b)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def legal(history, code, day, data, birth):
    """The simple reading: is ``code`` on ``day`` legal after ``history`` (a list of (code, day, data))?"""
    dates = {}
    for c, d, _data in history:
        dates.setdefault(c, []).append(d)
    if day > TODAY:
        return False
    if code in dates and code not in AGAIN:
        return False
    for need in NEEDS.get(code, ()):
        if need not in dates or max(dates[need]) > day:
            return False
    if any(c == "S23" and dd.get("outcome") == "cancel" for c, _d, dd in history):
        return False
    if code == "S01" and day < months_later(birth, 18 * 12):
        return False
    if code == "S07" and day < months_later(dates["S03"][0], 12):
        return False
    if code == "S11" and (data["days"] < 3 and data["hours"] < 24):
        return False
    if code == "S12" and any(c == "S10" and dd["conclusion"] != "qualified" for c, _d, dd in history):
        return False
    if code == "S13" and not (data["publicity_from"] <= data["publicity_to"] <= day.isoformat()):
        return False
    if code in ("S15", "S23"):
        should, present, yes, written = (
            data["should_attend"],
            data["present"],
            data["yes"],
            data.get("written_yes", 0),
        )
        if present > should or yes > present or present + written > should:
            return False  # figures that cannot be
        if not (present * 2 > should and (yes + written) * 2 > should):
            return False  # quorum; yes votes with prior written opinions against those who should attend
    if code == "S17" and day > months_later(dates["S15"][0], 6):
        return False  # never approved after six months (a condition of validity)
    return not (code == "S23" and day < months_later(dates["S15"][0], 12))


def half_year_after(day):
    """The last day of the calendar half-year after the one of ``day``."""
    return datetime.date(day.year, 12, 31) if day.month <= 6 else datetime.date(day.year + 1, 6, 30)


def late(history, code, day, data):
    """The simple reading of the time limits (domain-rules §0.1): recorded, but late?"""
    dates = {}
    for c, d, _data in history:
        dates.setdefault(c, []).append(d)
    if code == "S02":
        return day > months_later(dates["S01"][0], 1)
    if code == "S06":
        return day > half_year_after(max([dates["S03"][0], *dates.get("S06", [])]))
    if code == "S17":
        return day > months_later(dates["S15"][0], 3)
    if code == "S23" and data.get("outcome") != "cancel":
        return day > months_later(dates["S15"][0], 13)  # no extension in these histories
    if code == "S24":
        return day > months_later(dates["S23"][-1], 3)
    return False


# Where a step's date is drawn, relative to an earlier step of the sequence: ranges that straddle each
# limit of the rules, so that both sides of every limit are generated.
NEAR = {
    "S02": ("S01", 20, 40),  # talk within a month
    "S06": ("S06|S03", 150, 200),  # assessed every half year
    "S07": ("S03", 340, 390),  # a year as activist
    "S17": ("S15", 60, 120),  # approval within three months
    "S23": ("S15", 350, 380),  # a year of probation
    "S24": ("S23", 60, 120),  # conversion approved within three months
}


def next_codes(history):
    """Steps whose needs are met and that are not done yet: what a secretary would record next."""
    done = {c for c, _d, _x in history}
    open_steps = [c for c in ORDER if (c not in done or c in AGAIN) and NEEDS.get(c, set()) <= done]
    return sorted(open_steps, key=lambda c: (c in done, ORDER.index(c))) or ["S01"]


def draw_step(draw, history, day):
    """One step as a secretary might type it: mostly a step that may come next, sometimes any step; its
    date near the limit the rules set for it, or a few days after the last step."""
    choices = next_codes(history)
    code = (
        draw(st.one_of(st.sampled_from(choices[:3]), st.sampled_from(ORDER)))
        if draw(st.booleans())
        else choices[0]
    )
    dates = {}
    for c, d, _x in history:
        dates.setdefault(c, []).append(d)
    if code in NEAR:
        anchors, low, high = NEAR[code]
        base = next((dates[a][-1] for a in anchors.split("|") if a in dates), day)
        when = base + datetime.timedelta(days=draw(st.integers(low, high)))
    else:
        when = day + datetime.timedelta(days=draw(st.integers(-3, 25)))
    data = {}
    if code in ("S05", "S09"):
        data["contacts" if code == "S05" else "introducers"] = [1] if code == "S05" else [1, 2]
    if code == "S10":
        data["conclusion"] = draw(st.sampled_from(["qualified", "qualified", "qualified", "not_qualified"]))
    if code == "S11":
        data.update(days=draw(st.integers(0, 5)), hours=draw(st.integers(0, 40)))
    if code == "S13":
        start = when - datetime.timedelta(days=draw(st.integers(-3, 20)))
        end = start + datetime.timedelta(days=draw(st.integers(-1, 10)))
        data.update(publicity_from=start.isoformat(), publicity_to=end.isoformat())
    if code in ("S15", "S23"):
        should = draw(st.integers(3, 40))
        half = should // 2  # figures drawn around the half, where quorum and majority turn
        present = draw(st.one_of(st.integers(half - 1, half + 2), st.integers(0, should + 1)))
        written = draw(st.integers(0, 3))
        yes = draw(st.one_of(st.integers(half - written - 1, half - written + 2), st.integers(0, should)))
        data.update(should_attend=should, present=max(0, present), yes=max(0, yes), written_yes=written)
        if code == "S23":
            data["outcome"] = "convert"
    return code, when, data


class AllFull(engine.Lookups):
    def full_members(self, person_ids, day):
        return set(person_ids)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_engine_accepts_exactly_the_legal_steps(data):
    birth = data.draw(
        st.one_of(
            st.dates(datetime.date(1965, 1, 1), datetime.date(1994, 12, 31)),
            st.dates(datetime.date(1994, 6, 1), datetime.date(1997, 6, 1)),  # near 18 at the application
        )
    )
    day = data.draw(st.dates(datetime.date(2012, 1, 1), datetime.date(2016, 1, 1)))
    history, done = [], []
    for _ in range(data.draw(st.integers(20, 60))):
        code, when, step_data = draw_step(data.draw, history, day)
        found = engine.check(
            done, code, when, step_data, person_id=99, birth_date=birth, today=TODAY, lookups=AllFull()
        )
        accepted = not [v for v in found if not v.late]
        expected = legal(history, code, when, step_data, birth)
        assert accepted == expected, (code, when, step_data, [(c, d.isoformat()) for c, d, _x in history])
        if accepted:
            flagged = any(v.late for v in found)
            assert flagged == late(history, code, when, step_data), (code, when, history)
            history.append((code, when, step_data))
            done.append(engine.Done(code, when, step_data))
        day = max(day, when)  # time passes, whether or not the step was accepted


def test_the_simple_reading_accepts_the_documented_path():
    from .helpers import PATH, D

    history = []
    for code, day, data in PATH:
        data = {k: ([1, 2] if k in ("contacts", "introducers") else v) for k, v in data.items()}
        assert legal(history, code, D(day), data, datetime.date(1990, 1, 1)), code
        history.append((code, D(day), data))
