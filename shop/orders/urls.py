from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("checkout/", views.checkout, name="checkout"),
    path("orders/<str:number>/", views.order_detail, name="detail"),
    path("orders/<str:number>/pay/", views.pay, name="pay"),
    path("accounts/orders/", views.order_list, name="list"),
]
