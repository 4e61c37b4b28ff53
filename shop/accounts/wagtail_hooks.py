from wagtail import hooks

from .lockouts import AccessAttemptViewSet


@hooks.register("register_admin_viewset")
def login_lockouts_viewset():
    return AccessAttemptViewSet()
