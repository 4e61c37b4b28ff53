from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("<slug:slug>/", views.product_detail, name="product_detail"),
    path("<slug:slug>/size-guide/", views.size_guide, name="size_guide"),
    path("<slug:slug>/notify/", views.request_stock_alert, name="request_stock_alert"),
    path("alerts/<str:token>/unsubscribe/", views.stock_alert_unsubscribe, name="stock_alert_unsubscribe"),
]
