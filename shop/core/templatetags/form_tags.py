from django import template

register = template.Library()


@register.filter
def with_class(bound_field, css: str = ""):
    """Render a form field's widget with Bootstrap's classes, keeping its own attributes."""
    widget = bound_field.field.widget
    base = (
        "form-select"
        if widget.input_type == "select"
        else "form-check-input"
        if widget.input_type in ("checkbox", "radio")
        else "form-control"
    )
    classes = f"{base} {css}".strip()
    attrs = {"class": classes}
    described_by = [f"{bound_field.auto_id}-help"] if bound_field.help_text else []
    if bound_field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        described_by.append(f"{bound_field.auto_id}-error")
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return bound_field.as_widget(attrs=attrs)
