// Progressive enhancement only: every form works without JavaScript.
// Pages from the shared cache carry no CSRF token for a first-time visitor: fetch this
// visitor's token (and cart count) once, on the first POST, then send the form.
// Without JavaScript the server asks to confirm the form once instead (shop/core/csrf.py).
document.addEventListener("submit", async (event) => {
  const form = event.target;
  const input = form.querySelector("input[name=csrfmiddlewaretoken]");
  if (!input || input.value || form.method.toLowerCase() !== "post") return;
  event.preventDefault();
  const response = await fetch(document.body.dataset.visitorUrl, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  const visitor = await response.json();
  for (const field of document.querySelectorAll("input[name=csrfmiddlewaretoken]")) {
    field.value = visitor.csrf_token;
  }
  for (const badge of document.querySelectorAll("[data-cart-count]")) {
    badge.textContent = visitor.cart_count;
  }
  form.requestSubmit(event.submitter);
});
