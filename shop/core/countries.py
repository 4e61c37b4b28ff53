"""Countries the shop ships to (ISO 3166-1 alpha-2), shown as a select at checkout."""

SHIPPING_COUNTRIES: list[tuple[str, str]] = [
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("CH", "Switzerland"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DK", "Denmark"),
    ("ES", "Spain"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("IT", "Italy"),
    ("LU", "Luxembourg"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("SE", "Sweden"),
    ("US", "United States"),
]

COUNTRY_NAMES = dict(SHIPPING_COUNTRIES)


def country_name(code: str) -> str:
    return COUNTRY_NAMES.get(code, code)
