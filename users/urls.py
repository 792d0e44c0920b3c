from django.urls import path

from . import views

urlpatterns = [
    path("account/users/", views.user_management, name="user_management"),
    path("account/users/add/", views.user_invite, name="user_invite"),
    path("account/users/<int:pk>/", views.user_detail, name="user_detail"),
    path("account/users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("account/users/<int:pk>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path(
        "account/users/<int:pk>/resend/",
        views.user_resend_invitation,
        name="user_resend_invitation",
    ),
    path("welcome/<uidb64>/<token>/", views.user_welcome, name="user_welcome"),
]
