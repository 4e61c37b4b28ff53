"""Who may do what: one table, tested cell by cell (test_permissions.py), shown in docs/security.md.

Cells: `ok` (the page or action works), `login` (sent to log in), `denied` (logged in but
refused: Wagtail's "no permission" redirect or 403), `404` (someone else's: it does not exist
for you, with no detail). Rows name what is reached; `{order}`, `{payment}`, `{page}` and `{key}`
are filled in with a shopper's real order, its payment, the home page and the order's secret."""

ROLES = ("anonymous", "shopper", "other shopper", "marketer", "shop staff", "superuser")

OK, LOGIN, DENIED, NOT_FOUND = "ok", "login", "denied", "404"


def row(anonymous, shopper, other, marketer, staff, superuser):
    return dict(zip(ROLES, (anonymous, shopper, other, marketer, staff, superuser), strict=True))


EVERYONE = row(OK, OK, OK, OK, OK, OK)
MEMBERS = row(LOGIN, OK, OK, OK, OK, OK)
ADMIN_AREA_OF_NOBODY_BUT_SUPERUSER = row(LOGIN, DENIED, DENIED, DENIED, DENIED, OK)

# (area, method, url, expected per role)
TABLE: list[tuple[str, str, str, dict[str, str]]] = [
    ("storefront: home, shop, product", "GET", "/", EVERYONE),
    ("cart page (each sees only their own cart)", "GET", "/cart/", EVERYONE),
    ("the shopper's order page", "GET", "/orders/{order}/", row(NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)),
    ("the shopper's order with its secret link", "GET", "/orders/{order}/?key={key}", EVERYONE),
    ("the shopper's order list", "GET", "/accounts/orders/", MEMBERS),
    ("own account and address", "GET", "/accounts/", MEMBERS),
    ("admin dashboard", "GET", "/admin/", row(LOGIN, DENIED, DENIED, OK, OK, OK)),
    ("admin: pages", "GET", "/admin/pages/", row(LOGIN, DENIED, DENIED, OK, DENIED, OK)),
    ("admin: edit a page", "GET", "/admin/pages/{page}/edit/", row(LOGIN, DENIED, DENIED, OK, DENIED, OK)),
    ("admin: images", "GET", "/admin/images/", row(LOGIN, DENIED, DENIED, OK, OK, OK)),
    ("admin: documents", "GET", "/admin/documents/", row(LOGIN, DENIED, DENIED, OK, DENIED, OK)),
    ("admin: products", "GET", "/admin/shop/products/", row(LOGIN, DENIED, DENIED, OK, OK, OK)),
    ("admin: low stock (read-only for marketers)", "GET", "/admin/shop/low-stock/", row(LOGIN, DENIED, DENIED, OK, OK, OK)),
    ("admin: categories", "GET", "/admin/shop/categories/", row(LOGIN, DENIED, DENIED, OK, OK, OK)),
    ("admin: orders", "GET", "/admin/shop/orders/", row(LOGIN, DENIED, DENIED, DENIED, OK, OK)),
    ("admin: payment events", "GET", "/admin/shop/payment-events/", row(LOGIN, DENIED, DENIED, DENIED, OK, OK)),
    ("admin: refund a payment", "POST", "/admin/payments/{payment}/refund/", row(LOGIN, DENIED, DENIED, DENIED, OK, OK)),
    ("admin: users", "GET", "/admin/users/", ADMIN_AREA_OF_NOBODY_BUT_SUPERUSER),
    ("admin: groups", "GET", "/admin/groups/", ADMIN_AREA_OF_NOBODY_BUT_SUPERUSER),
    ("admin: sites (read-only for marketers)", "GET", "/admin/sites/", row(LOGIN, DENIED, DENIED, OK, DENIED, OK)),
    ("admin: site settings", "GET", "/admin/settings/home/sitesettings/", row(LOGIN, DENIED, DENIED, OK, DENIED, OK)),
    ("admin: redirects", "GET", "/admin/redirects/", row(LOGIN, DENIED, DENIED, OK, DENIED, OK)),
    ("admin: reports (site history)", "GET", "/admin/reports/site-history/", row(LOGIN, DENIED, DENIED, OK, OK, OK)),
]  # fmt: skip


def markdown_table() -> str:
    """The table as docs/security.md shows it (a test keeps the two equal)."""
    lines = ["| area | " + " | ".join(ROLES) + " |", "|" + " --- |" * (len(ROLES) + 1)]
    for area, method, url, expected in TABLE:
        target = f"`{method} {url}`"
        lines.append(f"| {area} ({target}) | " + " | ".join(expected[role] for role in ROLES) + " |")
    return "\n".join(lines)
