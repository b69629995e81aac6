"""``manage.py daily``: every app's daily jobs, each in its own transaction; one failing does not stop the
others, and the command then exits non-zero."""

import io

import pytest
from django.core.management import CommandError, call_command

from redengine.core import daily
from redengine.orgs.models import School

pytestmark = pytest.mark.django_db


def test_every_registered_job_runs_and_says_what_it_did():
    out = io.StringIO()
    call_command("daily", "--date", "2026-03-01", stdout=out)
    lines = out.getvalue().splitlines()
    assert sorted(line.split(":")[0] for line in lines) == sorted(daily.REGISTRY)
    assert "imports.expire_uploads" in daily.REGISTRY


def test_a_failing_job_is_rolled_back_and_the_others_still_run(monkeypatch):
    school = School.objects.order_by("pk").first()

    def breaks(today):
        School.objects.filter(pk=school.pk).update(name="改了一半")
        raise RuntimeError("boom")

    monkeypatch.setitem(daily.REGISTRY, "aaa.breaks", breaks)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("daily", stdout=out, stderr=err)
    assert exit_info.value.code == 1
    assert "aaa.breaks: RuntimeError: boom" in err.getvalue()
    assert "imports.expire_uploads:" in out.getvalue()  # ran after the failure
    school.refresh_from_db()
    assert school.name != "改了一半"


def test_bad_arguments_are_refused_in_chinese():
    with pytest.raises(CommandError, match="不是日期"):
        call_command("daily", "--date", "2026-13-01")
    with pytest.raises(CommandError, match="没有名为"):
        call_command("daily", "--only", "nothing.here")
