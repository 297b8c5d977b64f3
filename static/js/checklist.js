// Filter a long checklist (core.widgets.Checklist) by the words typed in its
// filter box: each begins a word of the name, accents ignored ("vi thanh"
// finds "Vị Thanh"; "chau thanh a" finds "Châu Thành A", not "Châu Thành"). The box is hidden
// in the page's HTML and shown here, so without JavaScript every row stays
// there to tick. Hidden rows keep their ticks; Enter in the box does not
// submit the form.
(() => {
  const fold = (text) =>
    text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d")
      .toLowerCase();
  const setUp = (box) => {
    const list = document.getElementById(box.dataset.checklistFilter);
    if (!list || box.dataset.ready) return;
    box.dataset.ready = "true";
    const rows = Array.from(list.querySelectorAll(".form-check"), (row) => [
      row,
      fold(row.textContent).split(/\s+/),
    ]);
    box.hidden = false;
    box.addEventListener("input", () => {
      const words = fold(box.value).split(/\s+/).filter(Boolean);
      for (const [row, names] of rows) {
        row.hidden = !words.every((word) => names.some((name) => name.startsWith(word)));
      }
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
  };
  const setUpAll = (root) => {
    for (const box of root.querySelectorAll("[data-checklist-filter]")) setUp(box);
  };
  document.addEventListener("DOMContentLoaded", () => setUpAll(document));
  document.addEventListener("htmx:load", (event) => setUpAll(event.detail.elt));
})();
