from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods

from shop.core.ratelimit import rate_limited
from shop.core.redirects import redirect_to_next, safe_next

from . import services
from . import signup as signups
from .forms import AddressForm, EmailAuthenticationForm, ShopPasswordResetForm, SignupForm


class ShopLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class ShopLogoutView(auth_views.LogoutView):
    next_page = "/"


@rate_limited("signup")
def signup(request):
    """New and taken addresses get the same answer: 'check your email' (see accounts/signup.py)."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        signups.request_signup(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            next_url=safe_next(request, request.POST.get("next", "")),
        )
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form, "next": request.GET.get("next", "")})


def signup_sent(request):
    return render(request, "accounts/signup_sent.html")


@require_http_methods(["GET", "POST"])
def signup_confirm(request, token: str):
    """GET shows a button and changes nothing (mail scanners open links); POST creates the account."""
    try:
        pending = signups.pending_signup(token)
        if request.method == "POST":
            user, next_url = signups.confirm_signup(token)
            login(request, user, backend="shop.accounts.backends.ShopModelBackend")
            messages.success(request, "Welcome to Threadline. Your account is ready.")
            return redirect_to_next(request, [next_url], "accounts:profile")
    except signups.SignupLinkInvalid:
        return render(request, "accounts/signup_invalid.html", status=404)
    return render(request, "accounts/signup_confirm.html", {"pending": pending})


@method_decorator(rate_limited("password_reset"), name="dispatch")
class ShopPasswordResetView(auth_views.PasswordResetView):
    form_class = ShopPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_sent")

    def form_valid(self, form):
        # Links from the site's public address (as every account email), not the request's Host.
        self.extra_email_context = {
            "base_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"),
            "shop_name": settings.WAGTAIL_SITE_NAME,
        }
        return super().form_valid(form)


class ShopPasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class ShopPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class ShopPasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def profile(request):
    address = services.default_address(request.user)
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        services.save_default_address(request.user, **form.cleaned_data)
        messages.success(request, "Your address is saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})
