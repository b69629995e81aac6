"""Sample pairs and activities for the pairing tests, made with the real services."""

import datetime

from django.utils import timezone

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs.models import School
from redengine.pairing.services import record_activities, record_pairs

D = datetime.date.fromisoformat
# The demo tree's schools used: (code, 城乡类别)
MEIXIHU, LIANHUA, LUSHAN, XINGCHEN = "4301040002", "4301040003", "4301040001", "4301040005"  # 岳麓区
CHAOYANG = "4301020001"  # 芙蓉区, urban
YUTAN, WEISHAN = "4301820001", "4301820002"  # 宁乡市: urban, rural
YIZHONG, QIAOKOU = "4301000001", "4301120001"  # 市直 urban; 望城区 rural
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def school(code):
    return School.objects.get(code=code)


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def new_pair(urban, rural, agreed, ended=None, goals="", by=SYSTEM):
    values = {"urban": school(urban), "rural": school(rural), "agreed_on": agreed, "ended_on": ended}
    return record_pairs([Item({**values, "goals": goals})], by=by)[0]


def new_activity(
    pair, date, kind="teaching_visit", title="送教下乡", teachers=(), students=0, files=(), by=SYSTEM
):
    item = Item(
        {
            "pair": pair,
            "kind": kind,
            "date": date,
            "title": title,
            "summary": "",
            "teachers": list(teachers),
            "students": students,
        },
        extra={"files": list(files)},
    )
    return record_activities([item], by=by)[0]


def new_teacher(name, code, sequence):
    """A teacher of the school ``code`` (the demo tree has no one at some schools)."""
    from redengine.core.validators import make_id_number
    from redengine.people.services import save_people

    values = {
        "name": name,
        "school": school(code),
        "post": "teacher",
        "front_line": True,
        "id_number": make_id_number("430104", D("1988-08-08"), sequence),
    }
    return save_people([Item(values)], by=SYSTEM)[0]
