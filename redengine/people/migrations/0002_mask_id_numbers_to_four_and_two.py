"""The masked copies of ID numbers as ``core.masking`` masks them now: the first four and the last two
characters (the old copies kept the last four, which with the birth date left about nine candidates).

The new mask keeps a part of the old one, so each copy is masked again from itself, without decrypting.
"""

from django.db import migrations

from redengine.core.masking import mask_id_number


def remask(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    batch = []
    for person in Person.objects.only("pk", "id_number_masked").iterator(chunk_size=2000):
        masked = mask_id_number(person.id_number_masked)
        if masked != person.id_number_masked:
            person.id_number_masked = masked
            batch.append(person)
        if len(batch) >= 2000:
            Person.objects.bulk_update(batch, ["id_number_masked"])
            batch = []
    if batch:
        Person.objects.bulk_update(batch, ["id_number_masked"])


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]

    operations = [migrations.RunPython(remask, migrations.RunPython.noop)]
