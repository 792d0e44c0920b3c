from django.urls import path

from . import views

urlpatterns = [
    path("staff/demo/", views.demo_world, name="demo_world"),
]
