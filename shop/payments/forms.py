from decimal import Decimal

from django import forms


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount", max_digits=10, decimal_places=2, min_value=Decimal("0.01"), localize=False
    )
    reason = forms.CharField(label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    cancel_order = forms.BooleanField(
        label="Also cancel the order and put the goods back in stock (full refund, not shipped)",
        required=False,
    )
