"""Steps by their names: a step's code (S01–S25) never stands alone where its name fits."""

from django import template

from .. import rules

register = template.Library()


@register.filter
def step_label(code):
    """``S05`` → ``S05 确定入党积极分子`` (the code itself when it names no step)."""
    step = rules.STEP.get(code)
    return f"{step.code} {step.name}" if step else code


@register.filter
def step_labels(codes):
    """Several steps by code and name, joined as a Chinese list."""
    return "、".join(step_label(code) for code in codes)
