from django.apps import AppConfig


class ShowcaseConfig(AppConfig):
    name = "redengine.showcase"
    label = "showcase"
    verbose_name = "典型展示"
