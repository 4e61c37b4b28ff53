from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("<slug:slug>/", views.product_detail, name="product_detail"),
    path("<slug:slug>/size-guide/", views.size_guide, name="size_guide"),
]
