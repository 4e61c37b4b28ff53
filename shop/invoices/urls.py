from django.urls import path

from . import views

app_name = "invoices"

urlpatterns = [
    path("orders/<str:number>/invoice/", views.order_invoice, name="invoice"),
    path("orders/<str:number>/credit-notes/<str:credit_note>/", views.order_credit_note, name="credit_note"),
]
