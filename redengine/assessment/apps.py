from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "redengine.assessment"
    label = "assessment"
    verbose_name = "星级评定"
