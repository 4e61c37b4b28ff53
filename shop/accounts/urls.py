from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.ShopLoginView.as_view(), name="login"),
    path("logout/", views.ShopLogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("", views.profile, name="profile"),
]
