from django.apps import AppConfig


class PioneerConfig(AppConfig):
    name = "redengine.pioneer"
    label = "pioneer"
    verbose_name = "示范创建"
