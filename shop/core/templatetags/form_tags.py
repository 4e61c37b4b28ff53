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
    if bound_field.errors:
        classes += " is-invalid"
    return bound_field.as_widget(attrs={"class": classes})
