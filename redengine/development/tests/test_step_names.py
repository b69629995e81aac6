"""A step's code (S01–S25) never stands alone where its name fits: pages and messages name the step."""

import datetime
import re

from django.template import Context, Template

from redengine.development import engine, rules
from redengine.development.models import DevelopmentCase


def test_the_filters_name_the_steps():
    html = Template("{% load steps %}{{ 'S05'|step_label }}|{{ codes|step_labels }}").render(
        Context({"codes": ["S05", "S09"]})
    )
    assert html == f"S05 {rules.STEP['S05'].name}|S05 {rules.STEP['S05'].name}、S09 {rules.STEP['S09'].name}"


def test_a_refusal_of_the_order_names_the_step_and_what_it_needs():
    step = rules.STEP["S06"]
    (violation,) = engine._check_order([], step, datetime.date(2025, 3, 1))
    assert str(violation.detail).startswith(f"S06 {step.name}")
    for code in step.requires:
        assert f"{code} {rules.STEP[code].name}" in str(violation.detail)


def test_the_case_pages_name_every_step_they_show(client_for):
    client = client_for("city_admin")
    case = DevelopmentCase.objects.filter(status="open").exclude(last_step="").first()
    html = client.get(case.get_absolute_url()).content.decode()
    shown = set(re.findall(r">\s*(S\d\d)\s*<", html))
    assert not shown, f"codes standing alone: {shown}"
    assert str(rules.STEP[case.last_step].name) in html
