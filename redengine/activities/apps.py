from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "redengine.activities"
    label = "activities"
    verbose_name = "组织生活"
