// Product lists: apply a filter or a sort order as soon as it changes. Without JavaScript the
// "Apply filters" and "Sort" buttons submit the same GET forms, so every state has its own URL.
(() => {
  const submitOnChange = (form) => {
    form.addEventListener("change", (event) => {
      if (event.target.matches("input[type=checkbox], select")) form.requestSubmit();
    });
  };
  document.querySelectorAll("[data-product-filters]").forEach(submitOnChange);
  document.querySelectorAll("[data-sort-form]").forEach((form) => {
    submitOnChange(form);
    form.querySelectorAll("[data-hide-with-js]").forEach((button) => button.classList.add("visually-hidden"));
  });
})();
