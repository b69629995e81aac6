"""Vote figures of the demo's branch general meetings, fitted to the branch's roll on the meeting's date.

"Should attend" is derived by the development service from the branch's memberships (domain-rules §0.1);
the demo draws a turnout and a majority as shares and fits them here to the number the service will
derive, so that every demo meeting is quorate and passes as a real one would.
"""

from redengine.development.lookups import voting_members

VOTES = ("S15", "S23")


def fit(steps):
    """Fit the vote figures of ``steps`` (``services.Step``s of cases with an organization) in place; returns
    the steps of meetings whose branch had no voting member on the day (no such meeting can pass)."""
    voting = [s for s in steps if s.code in VOTES and s.data.get("present") is not None]
    counts = voting_members((s.case.organization, s.date) for s in voting)
    empty = []
    for step in voting:
        should = counts[(step.case.organization.pk, step.date)] - len(step.data.get("excused", []))
        fit_one(step.data, should)
        if should < 1:
            empty.append(step)
    return empty


def fit_one(data, should):
    """Keep the drawn shares of turnout and majority, within a quorate, passing meeting of ``should``."""
    drawn = max(int(data.get("should_attend") or 0), 1)
    if should < 1:  # no roll to fit (the service refuses the meeting): leave the figures as drawn
        return data
    majority = should // 2 + 1
    present = min(should, max(majority, round(int(data["present"]) * should / drawn)))
    yes = min(present, max(majority, round(int(data.get("yes") or 0) * should / drawn)))
    abstain = min(int(data.get("abstain") or 0), present - yes)
    data.update(present=present, yes=yes, no=present - yes - abstain, abstain=abstain)
    data.pop("should_attend", None)
    return data
