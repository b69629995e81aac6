"""Parameters of a rule book as data: versions with an effective date, each citing its source.

An app's ``rules.py`` keeps its parameters (time limits, ages, intervals) in a ``RuleBook``: the first
version holds them all, a later version (a local rule, a revision) changes some from its effective date
on, and ``param(name, on=day)`` reads the version in force on a day, so that a figure of a past year is
computed by the rules of that year.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class RuleVersion:
    version: str
    effective: datetime.date
    title: str
    source: str
    parameters: dict

    def __str__(self):
        return f"{self.title}（{self.version}）"


class RuleBook:
    """The versions of one app's parameters, ordered by their effective dates."""

    def __init__(self, first):
        self.versions = [first]

    @property
    def parameters(self):
        return self.versions[0].parameters

    def load(self, changes, *, version, effective, title, source):
        """Register a later version changing some parameters from ``effective`` on."""
        unknown = sorted(set(changes) - set(self.parameters))
        if unknown:
            raise ValueError(f"unknown parameters: {', '.join(unknown)}")
        if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in changes.values()):
            raise ValueError("parameter values are whole numbers ≥ 0")
        if any(v.version == version or v.effective == effective for v in self.versions):
            raise ValueError(f"version {version} or one effective on {effective} is already loaded")
        loaded = RuleVersion(version, effective, title, source, {**self.on(effective).parameters, **changes})
        self.versions.append(loaded)
        self.versions.sort(key=lambda v: v.effective)
        return loaded

    def unload(self, code):
        """Remove a version loaded since (the first stays)."""
        first = self.versions[0]
        self.versions[:] = [v for v in self.versions if v.version != code or v is first]

    def on(self, day):
        found = self.versions[0]
        for version in self.versions:
            if version.effective <= day:
                found = version
        return found

    def param(self, name, on=None):
        return self.on(on or timezone.localdate()).parameters[name]
