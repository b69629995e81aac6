"""The daily jobs: each app declares its own in its ``daily.py`` with ``@daily``; ``manage.py daily``
(run once a day by the deployment's timer, see docs/deploy.md) runs them all, each in its own
transaction, so that one failing job does not stop the others."""

import importlib

from django.apps import apps

REGISTRY = {}


def daily(name):
    """Register ``function(today)`` as the daily job ``name``; it returns a line saying what it did."""

    def register(function):
        REGISTRY[name] = function
        return function

    return register


def discover():
    for config in apps.get_app_configs():
        if config.name.startswith("redengine."):
            try:
                importlib.import_module(f"{config.name}.daily")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.daily":
                    raise
    return REGISTRY
