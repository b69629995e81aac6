"""URLconf of the HTTP benchmark's server (``bench/settings.py``): every page of the project, and
``/bench/minimal/``, the smallest page Django serves here — through the same middleware (session, account,
two-factor state, session policy, the request's transaction), one query on an index, a tiny template — the
floor the project's pages are measured against. Never part of the product."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from redengine.orgs.models import PartyOrganization

TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="zh-hans"><title>{{ org.code }}</title><p>{{ org.name }}</p></html>'
)


@login_required
def minimal(request):
    org = PartyOrganization.objects.filter(code="CS430102").first()  # the unique index on code
    return HttpResponse(TEMPLATE.render({"org": org}))


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("", include("redengine.urls")),
]

handler500 = "redengine.core.views.server_error"
