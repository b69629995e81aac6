from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "redengine.pairing"
    label = "pairing"
    verbose_name = "城乡结对"
