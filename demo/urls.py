from django.urls import path

from . import views

urlpatterns = [
    path("staff/demo/", views.demo_world, name="demo_world"),
    path("staff/rehearsals/", views.rehearsals, name="rehearsals"),
    path("staff/rehearsals/reset/", views.rehearsal_reset, name="rehearsal_reset"),
]
