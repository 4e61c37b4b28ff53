from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.db import IntegrityError
from django.shortcuts import redirect, render

from shop.core.ratelimit import rate_limited
from shop.core.redirects import redirect_to_next

from . import services
from .forms import AddressForm, EmailAuthenticationForm, SignupForm


class ShopLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class ShopLogoutView(LogoutView):
    next_page = "/"


@rate_limited("signup")
def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.register_user(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except IntegrityError:  # the same email signed up a moment ago
            form.add_error("email", "An account with this email already exists. Log in instead.")
            return render(
                request, "accounts/signup.html", {"form": form, "next": request.POST.get("next", "")}
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to Threadline. Your account is ready.")
        return redirect_to_next(request, [request.POST.get("next", "")], "accounts:profile")
    return render(request, "accounts/signup.html", {"form": form, "next": request.GET.get("next", "")})


@login_required
def profile(request):
    address = services.default_address(request.user)
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        services.save_default_address(request.user, **form.cleaned_data)
        messages.success(request, "Your address is saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})
