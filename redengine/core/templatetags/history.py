from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

register = template.Library()


@register.simple_tag
def history_url(obj):
    """Where a record's change history loads from (a fragment, scoped like the record)."""
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("object_history", args=[content_type.pk, obj.pk])
