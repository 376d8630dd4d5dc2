"""The landing page at `/`, outside the `catalog` namespace: its name is plain `home`."""

from django.urls import path

from catalog import landing

urlpatterns = [
    path("", landing.home, name="home"),
]
