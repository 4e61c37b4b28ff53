from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from shop.core.countries import SHIPPING_COUNTRIES

from . import emails
from .models import Address, User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class SignupForm(forms.Form):
    """Not a ModelForm: its uniqueness check would tell anyone which addresses are members."""

    email = forms.EmailField(label="Email", max_length=254)
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    password1 = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()

    def clean(self):
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        if p1:
            candidate = User(email=cleaned.get("email", ""), first_name=cleaned.get("first_name", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ShopPasswordResetForm(PasswordResetForm):
    """Django's reset form, plus a notice to an address that has no account: one email either
    way, so the reset page's answer and its work tell nothing about who is a member."""

    def save(self, *args, **kwargs) -> None:
        email = self.cleaned_data["email"]
        if not emails.may_mail(email, "reset"):
            return
        if User.objects.filter(email__iexact=email).exists():
            super().save(*args, **kwargs)
        else:
            emails.send_unknown_address_reset_notice(email)


class AddressForm(forms.ModelForm):
    country = forms.ChoiceField(label="Country", choices=[("", "Choose a country"), *SHIPPING_COUNTRIES])

    class Meta:
        model = Address
        fields = ["full_name", "line1", "city", "postal_code", "country", "phone"]
        labels = {"full_name": "Full name", "line1": "Address", "postal_code": "Postal code"}
