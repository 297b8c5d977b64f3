// Buttons marked data-print open the browser's print dialog (shown only when
// JavaScript runs; without it the browser's own Print menu does the same).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
