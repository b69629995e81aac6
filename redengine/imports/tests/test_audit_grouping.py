"""An import's change records carry its job's reference, and the trail lists them as one line under the job."""

import pytest
from django.urls import reverse

from redengine.core.audit_display import import_request_id
from redengine.core.models import ObjectChange
from redengine.imports.models import ImportJob

from .importing import run, workbook

pytestmark = pytest.mark.django_db


def test_the_rows_of_an_import_are_one_line_under_its_job(tmp_path, client_for):
    before = ObjectChange.objects.count()
    status, _out, err = run(workbook(tmp_path=tmp_path), "--user", "city_admin")
    assert status == 0, err
    job = ImportJob.objects.latest("id")
    written = ObjectChange.objects.count() - before
    assert written > 1
    assert ObjectChange.objects.filter(request_id=import_request_id(job.pk)).count() == written
    client = client_for("city_admin")
    html = client.get(reverse("audit_changes")).content.decode()
    assert reverse("imports:job_detail", args=[job.pk]) in html
    assert f"{written} 条变更记录" in html
    assert "岳麓区导入测试小学" not in html  # not each row: the job's line
    listed = client.get(reverse("audit_changes"), {"job": job.pk}).content.decode()
    assert "岳麓区导入测试小学" in listed
