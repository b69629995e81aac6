from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from redengine.core.panels import panels_of

register = template.Library()


@register.simple_tag
def panels(page, obj):
    """The registered panels of ``page`` for ``obj``, in order: each a placeholder that htmx fills on load."""
    return format_html_join(
        "\n",
        '<div{}{} hx-get="{}" hx-trigger="load" hx-swap="outerHTML"></div>',
        (
            (
                format_html(' id="{}"', item.element_id) if item.element_id else "",
                format_html(' class="{}"', item.css_class) if item.css_class else "",
                reverse(item.url_name, args=[obj.pk]),
            )
            for item in panels_of(page)
        ),
    )
