"""The permission matrix of the import pages (see redengine.testing.matrix): who may import, export the
scope as a workbook and follow the jobs; a job is seen within the scope of the account that uploaded it
and confirmed or cancelled by that account only."""

from redengine.accounts.models import User
from redengine.imports.models import ImportJob
from redengine.imports.services import start_job
from redengine.people.models import Person
from redengine.testing.matrix import Action, Detail, ListPage, Page, ScopedCase, build_matrix

UPLOADERS = {
    "own": "school_secretary",
    "district": "yuelu_admin",
    "other_district": "furong_admin",
    "city": "city_admin",
}


def reveals(user):
    return Person.objects.visible_to(user, "reveal").exists()


def file_name(username):
    return f"矩阵-{username}.xlsx"


def uploads():
    """A checked upload of each account, awaiting its confirmation."""
    for username in UPLOADERS.values():
        job = start_job(
            content=b"matrix",
            file_name=file_name(username),
            user=User.objects.get(username=username),
            actor="web",
            keep=True,
        )
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.VALIDATED)


def uploaders_job(run):
    return run.case.in_scope(run.user, run.subject, "view") and run.subject.user_id == run.user.pk


def status(job):
    return ImportJob.objects.get(pk=job.pk).status


JOBS = ScopedCase(
    name="import_job",
    model=ImportJob,
    owners=lambda job: [a.organization for a in job.user.assignments() if a.organization_id],
    positions=UPLOADERS,
    find=lambda username: ImportJob.objects.get(file_name=file_name(username)),
    setup=uploads,
    marker_field="file_name",
    views=[
        Page("imports:import", action="add"),  # whoever may add or change a record an import writes
        Page("imports:template", action="add"),
        # In full (an account that may reveal): waits for a second person (core/approvals.py).
        Page(
            "imports:export",
            action="export",
            ok=lambda run: 302 if reveals(run.user) else 200,
            logs=lambda run: "approval" if reveals(run.user) else "export",
        ),
        ListPage("imports:job_list", query={}),
        Detail("imports:job_detail"),
        Detail("imports:job_progress", ok=204),  # not running: the page reloads
        Action(
            "imports:job_confirm",
            action="add",
            scope=uploaders_job,
            data=lambda job: {},
            done=lambda job: status(job) != ImportJob.Status.VALIDATED,  # checked again, then written
        ),
        Action(
            "imports:job_cancel",
            action="add",
            scope=uploaders_job,
            data=lambda job: {},
            done=lambda job: status(job) == ImportJob.Status.CANCELLED,
        ),
    ],
)

globals().update(build_matrix(JOBS))
