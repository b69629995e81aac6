"""Model fields of the generic layer."""

from django.db import models

from .text import pinyin_key


class SortKeyField(models.CharField):
    """The pinyin sort key of another field (``SortKeyField(source="name")``), written with the record.

    The key is worked out whenever the record is written: ``save()`` and ``bulk_create`` ask every field
    for its value (``pre_save``), and ``core.audit.bulk_update_audited`` writes the key beside its source
    whenever the source is among the fields written. It is never typed and never copied into the trail.
    """

    DEFAULTS = {"max_length": 200, "editable": False, "blank": True, "db_index": True}

    def __init__(self, *args, source, **kwargs):
        self.source = source
        for key, default in self.DEFAULTS.items():
            kwargs.setdefault(key, default)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in self.DEFAULTS.items():
            if getattr(self, key) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = pinyin_key(getattr(model_instance, self.source), self.max_length)
        setattr(model_instance, self.attname, value)
        return value


def sort_keys_of(model, written):
    """The sort-key fields of ``model`` whose source is among the ``written`` field names."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, SortKeyField) and field.source in written
    ]


def fill_sort_keys(*labels):
    """A migration's step that works out the sort keys of the rows already there, for ``app.Model``
    labels whose ``name_key`` sorts their ``name`` (a derived, untracked column: no change records)."""

    def run(apps, schema_editor):
        for label in labels:
            model = apps.get_model(label)
            batch = []
            for obj in model.objects.only("pk", "name").iterator(chunk_size=2000):
                obj.name_key = pinyin_key(obj.name)
                batch.append(obj)
                if len(batch) == 2000:
                    model.objects.bulk_update(batch, ["name_key"])
                    batch = []
            model.objects.bulk_update(batch, ["name_key"])

    return run
