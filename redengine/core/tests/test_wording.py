"""One form of address (您) and one Chinese term per concept across the catalogue (glossary.md)."""

import pathlib

import polib

MO = pathlib.Path(__file__).resolve().parents[2] / "locale/zh_Hans/LC_MESSAGES/django.mo"

# The variant retired for each term kept: 称号 (not 荣誉称号), 隶属关系变更 (not 调整), 发展步骤 (not 环节),
# 学校类型 (not 学段). The import sheets keep their own column names (import-templates.md).
RETIRED = ("你", "荣誉称号", "隶属关系调整", "发展环节", "逾期环节", "学段")


def test_the_catalogue_uses_one_form_of_address_and_one_term_per_concept():
    catalogue = polib.mofile(str(MO))
    strings = [e.msgstr for e in catalogue] + [s for e in catalogue for s in e.msgstr_plural.values()]
    assert len(strings) > 1000
    for variant in RETIRED:
        found = [s for s in strings if variant in s.replace("您", "")]
        assert not found, (variant, found[:3])


def test_counts_show_thousands_separators_and_stay_numbers():
    from django.template import Context, Template

    html = Template(
        "{% load i18n redengine %}{{ n|grouped }}|{{ year }}|"
        "{% blocktranslate count counter=n|grouped %}{{ counter }} record{% plural %}{{ counter }} records"
        "{% endblocktranslate %}|{% if n|grouped == n %}same{% endif %}|{{ small|grouped }}"
    ).render(Context({"n": 30012, "year": 2026, "small": 7}))
    assert html == "30,012|2026|共 30,012 条记录|same|7"


def test_pages_of_a_long_list_show_grouped_numbers_and_link_plain_ones():
    import re

    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    paginator = Paginator(range(30_012), 25)  # 1,201 pages
    page = paginator.page(1_100)
    html = render_to_string(
        "core/pagination.html",
        {
            "is_paginated": True,
            "page_obj": page,
            "paginator": paginator,
            "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            "page_ellipsis": paginator.ELLIPSIS,
            "query": "",
        },
    )
    assert '<span class="page-link">1,100</span>' in html
    assert ">1,101</a>" in html
    assert "page=1101" in html
    assert "page=1201" in html
    assert not re.search(r'href="[^"]*\d,\d{3}', html)
    assert "1,201" in html  # of how many pages
