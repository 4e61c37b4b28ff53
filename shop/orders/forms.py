from django import forms

from shop.core.countries import SHIPPING_COUNTRIES

from .services import ShippingDetails


class CheckoutForm(forms.Form):
    email = forms.EmailField(
        label="Email", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    full_name = forms.CharField(
        label="Full name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    line1 = forms.CharField(
        label="Address", max_length=255, widget=forms.TextInput(attrs={"autocomplete": "street-address"})
    )
    city = forms.CharField(
        label="City", max_length=120, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    postal_code = forms.CharField(
        label="Postal code", max_length=20, widget=forms.TextInput(attrs={"autocomplete": "postal-code"})
    )
    country = forms.ChoiceField(
        label="Country",
        choices=[("", "Choose a country"), *SHIPPING_COUNTRIES],
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def details(self) -> ShippingDetails:
        return ShippingDetails(**{name: self.cleaned_data[name] for name in self.fields})


class ShipForm(forms.Form):
    tracking_number = forms.CharField(label="Tracking number", max_length=100, strip=True)


class NoteForm(forms.Form):
    note = forms.CharField(label="Note", required=False, max_length=500)
