from django.urls import path

from . import views

app_name = "cart"

urlpatterns = [
    path("", views.detail, name="detail"),
    path("add/", views.add, name="add"),
    path("visitor/", views.visitor, name="visitor"),
    path("update/", views.update, name="update"),
    path("remove/", views.remove, name="remove"),
    path("discount/", views.apply_discount, name="apply_discount"),
    path("discount/remove/", views.remove_discount, name="remove_discount"),
]
