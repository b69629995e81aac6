"""Background tasks of the import pages: checking an upload and writing a confirmed one.

They run in ``manage.py db_worker`` (the database backend of Django's task interface), so the pages
return at once and the job's page follows the progress; the job row carries everything the task needs.
"""

from django_tasks import task

from . import services
from .models import ImportJob


@task()
def check_upload(job_id):
    return services.run_check(job_id)


@task()
def write_upload(job_id):
    return services.run_write(job_id)


def start(job, background_task):
    """Enqueue ``background_task`` for ``job`` and keep the task's id in the job."""
    result = background_task.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=result.id[:64])
    return result
