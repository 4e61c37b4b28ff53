from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.ShopLoginView.as_view(), name="login"),
    path("logout/", views.ShopLogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup_sent"),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("password-reset/", views.ShopPasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.ShopPasswordResetSentView.as_view(), name="password_reset_sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.ShopPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/", views.ShopPasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("", views.profile, name="profile"),
]
