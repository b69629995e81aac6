from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "redengine.membership"
    label = "membership"
    verbose_name = "党员管理"
