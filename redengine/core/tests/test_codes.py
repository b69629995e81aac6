"""Code tables: GB/T 3304 ethnic groups, GB/T 2260 provinces and former counties, the import choice lists."""

import pytest
from django import forms
from django.db import models

from redengine.core import codes
from redengine.core.codes import (
    DISTRICTS,
    EDUCATION_LEVELS,
    ETHNIC_GROUP_CHOICES,
    ETHNIC_GROUPS,
    HISTORICAL_DISTRICTS,
    POLITICAL_STATUSES,
    POSTS,
    PROVINCES,
    education_level_code,
    ethnic_group_code,
    ethnic_group_name,
    political_status_code,
    post_code,
)

# --- GB/T 3304-1991 ethnic groups (domain-rules §6.3) ----------------------------------------------


def test_the_56_groups_and_the_two_extra_codes():
    """GB/T 3304-1991: 01-56 in the standard's order; 97 其他 and 98 外国血统中国籍人士 (domain-rules §6.3)."""
    assert list(ETHNIC_GROUPS) == [f"{n:02d}" for n in range(1, 57)] + ["97", "98"]
    assert len(set(ETHNIC_GROUPS.values())) == 58
    assert all(ETHNIC_GROUPS[f"{n:02d}"].endswith("族") for n in range(1, 57))
    assert ETHNIC_GROUPS["97"] == "其他"
    assert ETHNIC_GROUPS["98"] == "外国血统中国籍人士"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("01", "汉族"),
        ("06", "苗族"),
        ("12", "侗族"),
        ("13", "瑶族"),
        ("14", "白族"),
        ("15", "土家族"),
        ("46", "德昂族"),
        ("56", "基诺族"),
    ],
)
def test_codes_of_the_standard(code, name):
    """Spot checks against domain-rules §6.3 (Hunan's groups: 苗 侗 瑶 土家 白)."""
    assert ETHNIC_GROUPS[code] == name


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("01", "01"),
        ("汉族", "01"),
        (" 汉族 ", "01"),
        ("０１", "01"),  # full-width digits (import-templates.md)
        ("1", "01"),  # a code that a spreadsheet turned into a number
        ("汉", "01"),
        ("土家", "15"),
        ("土", "30"),
        ("崩龙族", "46"),  # the name of 德昂族 before 1985 (domain-rules §6.3)
        ("德昂族", "46"),
        ("98", "98"),
        ("其他", "97"),
    ],
)
def test_ethnic_group_lookup(value, code):
    assert ethnic_group_code(value) == code


@pytest.mark.parametrize("value", ["", None, "00", "57", "58", "99", "汉人", "Han", "100"])
def test_unknown_ethnic_groups(value):
    """57/58 are another system's codes for 其他/外国血统; they are refused, not guessed."""
    assert ethnic_group_code(value) is None


def test_every_code_and_name_looks_itself_up():
    for code, name in ETHNIC_GROUPS.items():
        assert ethnic_group_code(code) == code
        assert ethnic_group_code(name) == code
        assert ethnic_group_name(code) == name
    assert ethnic_group_name("zz") == "zz"


# --- The import template's choice lists (import-templates.md, sheet 人员) -------------------------


def test_education_levels_are_the_templates_list():
    """学历: the seven names of import-templates.md, with stable codes; GB/T 4658 groups in codes.py."""
    assert [label for _, label in EDUCATION_LEVELS] == [
        "博士研究生",
        "硕士研究生",
        "大学本科",
        "大学专科",
        "中专",
        "高中",
        "初中及以下",
    ]
    assert [code for code, _ in EDUCATION_LEVELS] == [
        "doctorate",
        "master",
        "bachelor",
        "college",
        "secondary_vocational",
        "senior_secondary",
        "junior_or_below",
    ]


def test_political_statuses_are_the_templates_list():
    """政治面貌: import-templates.md; GB/T 4762-1984 01, 02, 03, 04-11, 12, 13 (domain-rules §6.5)."""
    assert POLITICAL_STATUSES == [
        ("member", "中共党员"),
        ("probationary", "中共预备党员"),
        ("league_member", "共青团员"),
        ("democratic_party", "民主党派"),
        ("non_partisan", "无党派人士"),
        ("masses", "群众"),
    ]


def test_posts_are_the_templates_list():
    """岗位: import-templates.md."""
    assert POSTS == [
        ("teacher", "专任教师"),
        ("manager", "管理人员"),
        ("support", "教辅人员"),
        ("worker", "工勤人员"),
    ]


@pytest.mark.parametrize(
    ("lookup", "choices"),
    [
        (education_level_code, EDUCATION_LEVELS),
        (political_status_code, POLITICAL_STATUSES),
        (post_code, POSTS),
    ],
)
def test_lookups_accept_the_name_or_the_code(lookup, choices):
    for code, label in choices:
        assert lookup(label) == code
        assert lookup(f" {label}\u3000") == code
        assert lookup(code) == code
    assert lookup("") is None
    assert lookup(None) is None
    assert lookup("其他") is None


@pytest.mark.parametrize("party", ["民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟"])
def test_each_democratic_party_is_a_democratic_party(party):
    """GB/T 4762-1984 codes 04-11 (domain-rules §6.5) fold into 民主党派."""
    assert political_status_code(party) == "democratic_party"


def test_no_label_is_also_another_entrys_code():
    for table in (ETHNIC_GROUP_CHOICES, EDUCATION_LEVELS, POLITICAL_STATUSES, POSTS):
        assert not {code for code, _ in table} & {label for _, label in table}


@pytest.mark.parametrize("choices", [ETHNIC_GROUP_CHOICES, EDUCATION_LEVELS, POLITICAL_STATUSES, POSTS])
def test_tables_work_as_django_choices(choices):
    code, label = choices[0]
    field = forms.ChoiceField(choices=choices)
    assert field.clean(code) == code
    with pytest.raises(forms.ValidationError):
        field.clean(label)
    model_field = models.CharField(max_length=30, choices=choices)
    assert model_field.max_length >= max(len(c) for c, _ in choices)
    assert dict(model_field.flatchoices)[code] == label


# --- GB/T 2260: provinces and former counties (domain-rules §6.2) ----------------------------------


def test_the_34_province_level_codes():
    """GB/T 2260: 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82."""
    ranges = [(11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 82)]
    expected = {f"{n}" for low, high in ranges for n in range(low, high + 1)}
    assert set(PROVINCES) == expected
    assert len(PROVINCES) == 34
    assert PROVINCES["43"] == "湖南省"


def test_former_counties_are_not_current_districts():
    """domain-rules §6.2: 430122 望城县 → 430112 望城区; 430124 宁乡县 → 430182 宁乡市."""
    assert HISTORICAL_DISTRICTS == {"430122": "望城县", "430124": "宁乡县"}
    assert not set(HISTORICAL_DISTRICTS) & set(DISTRICTS)
    assert codes.district_code("望城县") is None  # a new record names a current district
    assert codes.district_code("430112") == "430112"


def test_choice_names_follow_district_choices():
    """Models and filters use the ``*_CHOICES`` names, as for DISTRICT_CHOICES."""
    assert codes.EDUCATION_CHOICES is EDUCATION_LEVELS
    assert codes.POLITICAL_STATUS_CHOICES is POLITICAL_STATUSES
    assert codes.POST_CHOICES is POSTS
    assert list(ETHNIC_GROUPS.items()) == ETHNIC_GROUP_CHOICES
