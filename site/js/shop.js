// Progressive enhancement only: every form works without JavaScript.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.matches("[data-autosubmit]")) target.form.requestSubmit();
});
