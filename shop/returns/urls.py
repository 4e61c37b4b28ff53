from django.urls import path

from . import views

app_name = "returns"

urlpatterns = [path("orders/<str:number>/return/", views.request_return, name="request")]
