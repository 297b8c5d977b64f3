// Warn before leaving a page whose form holds typed, unsaved values. Forms
// marked data-warn-unsaved become dirty on input or change; submitting a form
// (plain or through htmx) saves it, and a form swapped in by htmx starts
// clean. No inline script, so the Content Security Policy stays strict.
(() => {
  const watched = (target) => target?.form?.closest("form[data-warn-unsaved]");
  const mark = (event) => {
    const form = watched(event.target);
    if (form) form.dataset.dirty = "true";
  };
  document.addEventListener("input", mark);
  document.addEventListener("change", mark);
  document.addEventListener("submit", (event) => {
    // An upload button inside a form (formaction) submits the typed values too.
    delete event.target.dataset.dirty;
  });
  window.addEventListener("beforeunload", (event) => {
    if (document.querySelector("form[data-warn-unsaved][data-dirty]")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
