from django.urls import path

from . import views

app_name = "home"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
