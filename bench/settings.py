"""Settings of the HTTP benchmark's server (``bench/http_load.py``): the project's own settings, in whatever mode
``REDENGINE_ENV`` names (the benchmark runs its server in production mode), with two differences:

- the URLconf is ``bench/urls.py``: the project's pages plus ``/bench/minimal/``, the page the others are
  compared with — never part of the product;
- static files are served from the apps' folders (WhiteNoise through the finders, plain names) rather
  than from a ``collectstatic`` run (160 MB, half a minute) before every benchmark: pages are measured,
  not assets, and a page only builds the assets' addresses.
"""

from redengine.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(exist_ok=True)  # noqa: F405 (WhiteNoise looks for it)
