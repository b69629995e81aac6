from django.apps import AppConfig


class CultivationConfig(AppConfig):
    name = "redengine.cultivation"
    label = "cultivation"
    verbose_name = "双培养"
