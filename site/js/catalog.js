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
