// Warn before leaving a page whose form holds typed, unsaved values. Forms
// marked data-warn-unsaved become dirty on input or change; submitting a form
// (plain or through htmx) saves it, and a form swapped in by htmx starts
// clean. An htmx request that would swap such a dirty form away (another row
// of the pledge editor opened while one is being edited) asks first, in the
// page's language (#client-texts, templates/base.html); the form that sends
// the request is not asked about. No inline script, so the Content Security
// Policy stays strict.
(() => {
  // A field without a name (a list's filter box) sends nothing to lose.
  const watched = (target) =>
    target?.name ? target.form?.closest("form[data-warn-unsaved]") : null;
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
  // A part of a form saved through htmx (one group of the report's
  // indicators) comes back with its saved values as the fields' defaults: the
  // form stays dirty only while a field still differs from its default.
  const differs = (field) => {
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field instanceof HTMLSelectElement) {
      return Array.from(field.options).some((o) => o.selected !== o.defaultSelected);
    }
    if (field.type === "file" || field.type === "hidden") return false;
    return "defaultValue" in field && field.value !== field.defaultValue;
  };
  document.addEventListener("htmx:afterSettle", () => {
    for (const form of document.querySelectorAll("form[data-warn-unsaved][data-dirty]")) {
      if (!Array.from(form.elements).some(differs)) delete form.dataset.dirty;
    }
  });
  const DIRTY = "form[data-warn-unsaved][data-dirty]";
  document.addEventListener("htmx:confirm", (event) => {
    const target = event.detail.target;
    if (!(target instanceof Element)) return;
    const own = event.detail.elt.closest("form");
    const lost = [...target.querySelectorAll(DIRTY)];
    if (target.matches(DIRTY)) lost.push(target);
    if (!lost.some((form) => form !== own)) return;
    const question = document.getElementById("client-texts")?.dataset.discard;
    if (question && !window.confirm(question)) event.preventDefault();
  });
  window.addEventListener("beforeunload", (event) => {
    if (document.querySelector("form[data-warn-unsaved][data-dirty]")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
