"""Sample items of the showcase, made with the real services, at the places of the demo tree."""

import datetime

from redengine.core.services import Item
from redengine.core.writes import SYSTEM
from redengine.orgs.models import School
from redengine.people.models import Person
from redengine.showcase.models import Lesson, RoleModel, Story
from redengine.showcase.services import move_items, record_lessons, record_role_models, record_stories

SCHOOLS = {  # position -> (school code, a member teacher of it)
    "own": ("4301040002", "梅溪湖张老师"),
    "sibling": ("4301040001", "麓山赵老师"),
    "other_district": ("4301020001", "芙蓉周老师"),
}
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
PDF = b"%PDF-1.4 lesson plan"
ZIP = b"PK\x03\x04" + b"\x00" * 40
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 40


def school(position="own"):
    return School.objects.get(code=SCHOOLS[position][0])


def teacher(position="own"):
    return Person.objects.get(name=SCHOOLS[position][1])


def story_values(position="own", title="党员故事", text="他坚持送教下乡，二十年如一日。", **more):
    return {"school": school(position), "title": title, "text": text, **more}


def lesson_values(position="own", title="特色课堂", **more):
    return {
        "school": school(position),
        "title": title,
        "teacher": teacher(position),
        "subject": "语文",
        "grade": "五年级",
        "theme": "红色家风",
        **more,
    }


def role_model_values(position="own", name="李小明", **more):
    return {
        "school": school(position),
        "name": name,
        "grade": "六年级",
        "deed": "拾金不昧，帮助同学。",
        "honour": "区级道德模范",
        "named_on": datetime.date(2024, 5, 4),
        **more,
    }


RECORD = {Story: record_stories, Lesson: record_lessons, RoleModel: record_role_models}
VALUES = {Story: story_values, Lesson: lesson_values, RoleModel: role_model_values}


def make(model, position="own", status="draft", **values):
    """An item of ``model`` at ``position``, moved by SYSTEM to ``status``."""
    (obj,) = RECORD[model]([Item(VALUES[model](position, **values))], by=SYSTEM)
    if status in ("submitted", "published"):
        move_items(model, [obj], "submit", by=SYSTEM)
    if status == "published":
        move_items(model, [obj], "publish", by=SYSTEM)
    obj.refresh_from_db()
    return obj
