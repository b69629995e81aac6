"""Writes on the organization tree. Each is atomic, names its actor, and leaves audit records."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from redengine.core.audit import actor_fields
from redengine.core.models import ObjectChange

from .models import AffiliationChange, PartyOrganization


def _paths(root):
    return dict(PartyOrganization.objects.filter(path__startswith=root.path).values_list("pk", "path"))


@transaction.atomic
def change_affiliation(org, new_parent, *, changed_on, document_number="", by=None):
    """Move ``org`` and its whole subtree under ``new_parent`` (隶属关系调整); the history stays.

    treebeard rewrites the paths of the subtree in one statement; every moved organization gets a
    change record of its path, written in bulk, so the trail shows where each one was.
    """
    org = PartyOrganization.objects.select_for_update().get(pk=org.pk)
    if new_parent.path.startswith(org.path):
        raise ValidationError(_("An organization cannot be moved under itself or its own subtree."))
    old_parent = PartyOrganization.objects.get_parent(org) if org.depth > 1 else None
    if old_parent is not None and old_parent.pk == new_parent.pk:
        raise ValidationError(_("The organization is already under that parent."))
    before = _paths(org)
    PartyOrganization.objects.move(org, new_parent, "sorted-child")
    org.refresh_from_db()
    after = dict(PartyOrganization.objects.filter(pk__in=before).values_list("pk", "path"))
    content_type = ContentType.objects.get_for_model(PartyOrganization)
    names = dict(PartyOrganization.objects.filter(pk__in=before).values_list("pk", "name"))
    actor = actor_fields()
    ObjectChange.objects.bulk_create(
        [
            ObjectChange(
                action=ObjectChange.Action.UPDATE,
                content_type=content_type,
                object_id=str(pk),
                object_repr=names[pk][:200],
                before={"path": before[pk]},
                after={"path": after[pk]},
                changed_fields=["path"],
                scope_path=after[pk],
                **actor,
            )
            for pk in before
        ]
    )
    change = AffiliationChange(
        organization=org,
        old_parent=old_parent,
        new_parent=new_parent,
        changed_on=changed_on,
        document_number=document_number,
    )
    change.full_clean()
    change.save()
    return change


@transaction.atomic
def receive_organization(*, parent, old_parent_name, changed_on, document_number="", by=None, **fields):
    """Take an organization into the education system from outside it (接收基层党组织)."""
    if not old_parent_name:
        raise ValidationError({"old_parent_name": _("Name the organization it came from.")})
    org = PartyOrganization(**fields)
    org.full_clean(exclude=["path", "depth", "numchild"])
    org = PartyOrganization.objects.add_child(parent, instance=org)
    change = AffiliationChange(
        organization=org,
        old_parent=None,
        old_parent_name=old_parent_name,
        new_parent=parent,
        changed_on=changed_on,
        document_number=document_number,
    )
    change.full_clean()
    change.save()
    return org
