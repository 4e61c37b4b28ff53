// Product page: grey out the sizes that are sold out in the chosen colour.
// Without JavaScript the page still works: the server marks sizes for the
// colour in the URL, and the cart refuses a sold-out choice with a message.
(() => {
  const form = document.querySelector("[data-variant-form]");
  const data = document.getElementById("variant-availability");
  if (!form || !data) return;
  const availability = JSON.parse(data.textContent);
  const colourSelect = form.querySelector("[data-colour-select]");
  const sizeSelect = form.querySelector("[data-size-select]");
  if (!colourSelect || !sizeSelect) return;

  const refresh = () => {
    const colour = colourSelect.value;
    for (const option of sizeSelect.options) {
      if (!option.value) continue;
      const state = availability[`${colour}|${option.value}`];
      option.disabled = state !== true;
      const note = state === false ? " (sold out)" : state === undefined ? " (not in this colour)" : "";
      option.textContent = option.value + note;
      if (option.disabled && option.selected) sizeSelect.value = "";
    }
    const url = new URL(window.location.href);
    url.searchParams.set("colour", colour);
    window.history.replaceState(null, "", url);
  };
  colourSelect.addEventListener("change", refresh);
})();

// Size guide: the link opens the guide in a native modal <dialog> (focus kept inside, Escape
// closes it, focus returns to the link). Without JavaScript the link opens the guide's own page.
(() => {
  const opener = document.querySelector("[data-size-guide-open]");
  const dialog = document.querySelector("[data-size-guide]");
  if (!opener || !dialog || typeof dialog.showModal !== "function") return;
  opener.setAttribute("role", "button");
  opener.addEventListener("click", (event) => {
    event.preventDefault();
    dialog.showModal();
  });
  dialog.querySelector("[data-size-guide-close]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  dialog.addEventListener("close", () => opener.focus());
})();
