"""The client's IP address, the one way: rate limits and login lockouts both key on it.

Behind the cluster's ingress REMOTE_ADDR is the ingress pod; the client is the entry that the
last trusted proxy added to X-Forwarded-For. SHOP_TRUSTED_PROXY_COUNT says how many proxies
(each appending one entry) stand in front of the app; 0 (the default) trusts no header, so a
client cannot choose its own address by sending one."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    trusted = settings.SHOP_TRUSTED_PROXY_COUNT
    if trusted > 0:
        hops = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
        if len(hops) >= trusted:
            return hops[-trusted]
    return request.META.get("REMOTE_ADDR", "")


def axes_client_ip(request: HttpRequest) -> str:
    """django-axes' AXES_CLIENT_IP_CALLABLE: the same address."""
    return client_ip(request)
