// The report entry page: Enter in a field of a form marked data-enter-moves
// moves to the next field instead of submitting the whole form (and leaving
// the place the officer was at). No inline script, so the Content Security
// Policy stays strict.
(() => {
  const FIELDS = "input:not([type=hidden]):not([type=file]):not([disabled]), textarea, select";
  document.addEventListener("keydown", (event) => {
    const field = event.target;
    if (event.key !== "Enter" || event.isComposing) return;
    if (!(field instanceof HTMLInputElement) || field.type === "file") return;
    const form = field.form;
    if (!form || !form.hasAttribute("data-enter-moves")) return;
    event.preventDefault();
    const fields = Array.from(form.querySelectorAll(FIELDS));
    const next = fields[fields.indexOf(field) + 1];
    if (next) {
      next.focus({ preventScroll: true });
      next.scrollIntoView({ block: "nearest" });
      if (next.select) next.select();
    }
  });
})();
