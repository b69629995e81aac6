from decimal import Decimal

from django.db import migrations


def ship_default_scheme(apps, schema_editor):
    """The default scheme for school branches (``assessment/default_scheme.py``), its levels and indicators."""
    from redengine.assessment.default_scheme import SCHEME, indicators

    scheme_model = apps.get_model("assessment", "Scheme")
    level_model = apps.get_model("assessment", "Level")
    indicator_model = apps.get_model("assessment", "Indicator")
    header = {k: SCHEME[k] for k in ("name", "version", "effective_year", "level_kind", "veto_cap")}
    scheme = scheme_model.objects.create(
        **header,
        total_points=Decimal(SCHEME["total_points"]),
        bonus_max=Decimal(SCHEME["bonus_max"]),
        publicity_days=SCHEME["publicity_days"],
        source=SCHEME["source"],
        notes=SCHEME["notes"],
    )
    level_model.objects.bulk_create(
        [
            level_model(scheme=scheme, level=row["level"], name=row["name"], min_points=Decimal(row["min_points"]),
                        quota_percent=row["quota_percent"])
            for row in SCHEME["levels"]
        ]
    )
    made = {}
    for position, row in enumerate(indicators()):
        made[row["code"]] = indicator_model.objects.create(
            scheme=scheme,
            parent=made.get(row["parent"]),
            position=position,
            code=row["code"],
            name=row["name"],
            max_points=Decimal(row["max_points"]),
            guidance=row["guidance"],
            evidence=row["evidence"],
            evidence_required=row["evidence_required"],
            veto=row["veto"],
            metric=row["metric"],
            auto_mode=row["auto_mode"],
            auto_target=Decimal(row["auto_target"]) if row["auto_target"] else None,
            source=row["source"],
        )


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(ship_default_scheme, migrations.RunPython.noop)]
