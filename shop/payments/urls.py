from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("test/<str:token>/", views.test_payment_page, name="test_page"),
    path("return/<str:token>/", views.payment_return, name="return"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
