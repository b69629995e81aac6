"""Guidance records (指导记录) of the demo's instructors, written through ``people.services.record_guidance``.

The small tree's records are listed in ``data.GUIDANCE``; the generated city gets a few records for a sample
of the instructors dispatched there now (and for some whose dispatch has ended, dated within it)."""

import datetime
import random

from django.utils import timezone

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.people import services
from redengine.people.choices import DispatchRole, GuidanceKind
from redengine.people.models import Dispatch, GuidanceRecord

from . import data

# (kind, what was done, problems found, follow-up) the city's records are drawn from.
CITY_TEXTS = [
    (
        GuidanceKind.PROPAGANDA,
        "向学校董事会和行政班子宣讲《关于加强民办学校党的建设工作的意见（试行）》，解读党组织在学校中的政治核心作用。",
        "",
        "",
    ),
    (
        GuidanceKind.GUIDANCE,
        "指导学校党员过好组织生活，检查“三会一课”记录，帮助制定本学期党建工作计划。",
        "“三会一课”记录不完整，党课未按季度开展。",
        "一个月内补齐记录，本季度内由书记讲一次党课；下次指导时复查。",
    ),
    (
        GuidanceKind.GUIDANCE,
        "与学校负责人谈党组织组建事宜，摸排教职工中的党员和入党积极分子。",
        "学校现有正式党员不足3名，尚不具备单独组建条件。",
        "建议与就近学校联合组建党支部，已报区教育局。",
    ),
    (
        GuidanceKind.SERVICE,
        "协助学校对接区教育局办理年检材料，为青年教师开展师德师风专题培训。",
        "",
        "",
    ),
    (
        GuidanceKind.SUPERVISION,
        "作为政府督导员检查学校办学行为：招生宣传、收费公示、课程开设和教师持证情况。",
        "收费公示未在校门口张贴；个别教师资格证在办理中。",
        "要求一周内张贴收费公示，教师资格证办理情况下月报送。",
    ),
]


def small_tree(today=None):
    """The small tree's records (``data.GUIDANCE``), dated back from today; nothing if they are there."""
    if GuidanceRecord.objects.exists():
        return 0
    today = today or timezone.localdate()
    dispatches = {
        (d.person.name, d.school.code): d
        for d in Dispatch.objects.filter(role=DispatchRole.INSTRUCTOR).select_related("person", "school")
    }
    items = []
    for name, school, when, kind, content, issues, follow_up in data.GUIDANCE:
        held_on = (
            datetime.date.fromisoformat(when) if isinstance(when, str) else today - datetime.timedelta(when)
        )
        values = {
            "dispatch": dispatches[(name, school)],
            "held_on": held_on,
            "kind": kind,
            "content": content,
            "issues": issues,
            "follow_up": follow_up,
        }
        items.append(Item(values))
    return len(services.record_guidance(items, by=SYSTEM))


def city(seed=1, dispatches=60, today=None):
    """One to four records for each of a sample of the city's instructor dispatches, within the dispatch."""
    rng = random.Random(seed)  # noqa: S311 — demo data, not a secret
    today = today or timezone.localdate()
    known = {code for _name, code, *_rest in data.GUIDANCE}
    sample = list(
        Dispatch.objects.filter(role=DispatchRole.INSTRUCTOR, guidance_records__isnull=True)
        .exclude(school__code__in=known)
        .order_by("pk")[: dispatches * 3]
    )
    rng.shuffle(sample)
    items = []
    for dispatch in sample[:dispatches]:
        last = min(dispatch.end_on or today, today)
        first = max(dispatch.start_on, last - datetime.timedelta(days=330))
        for _n in range(rng.randint(1, 4)):
            held_on = first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))
            kind, content, issues, follow_up = rng.choice(CITY_TEXTS)
            values = {
                "dispatch": dispatch,
                "held_on": held_on,
                "kind": kind,
                "content": content,
                "issues": issues,
                "follow_up": follow_up,
            }
            items.append(Item(values))
    return len(services.record_guidance(items, by=SYSTEM)) if items else 0
