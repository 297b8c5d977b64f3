// When an htmx request fails, say so beside the page instead of nothing: htmx
// leaves the page as it is on an error answer (4xx, 5xx) or on no answer at
// all, so a Save that did not save looked like one that did. The message says
// that nothing was saved and that what was typed is still on the page.
//
// An ended session is answered 401 (core.middleware.HtmxSessionEndedMiddleware):
// the message offers to sign in again in a new tab. Signing in renews the CSRF
// token, so after a 401 or a 403 the next request of this page first fetches
// the page again and takes its fresh token; pressing the button again then
// saves what was typed. The texts come translated from the page
// (#request-errors, templates/base.html). No inline script: the Content
// Security Policy stays strict.
(() => {
  const texts = document.getElementById("request-errors")?.dataset;
  if (!texts) return;
  let renewToken = false;

  const show = (message, offerLogin) => {
    let box = document.getElementById("request-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "request-error";
      box.className =
        "alert alert-danger position-fixed bottom-0 start-0 end-0 m-3 shadow d-print-none";
      box.setAttribute("role", "alert");
      document.body.append(box);
    }
    const text = document.createElement("p");
    text.className = "mb-2";
    text.textContent = message;
    const actions = document.createElement("div");
    actions.className = "d-flex flex-wrap gap-2";
    if (offerLogin) {
      const login = document.createElement("a");
      login.href = texts.loginUrl;
      login.target = "_blank";
      login.rel = "noopener";
      login.className = "btn btn-sm btn-danger";
      login.textContent = texts.login;
      actions.append(login);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn btn-sm btn-outline-dark";
    close.textContent = texts.close;
    close.addEventListener("click", () => box.remove());
    actions.append(close);
    box.replaceChildren(text, actions);
  };

  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail.xhr;
    const status = xhr.status;
    // A short plain-text answer is the server's own message (e.g. a form still
    // being processed).
    const plain = (xhr.getResponseHeader("Content-Type") || "").startsWith("text/plain")
      ? xhr.responseText.trim()
      : "";
    if (plain && plain.length <= 500) {
      show(plain, false);
    } else if (status === 401) {
      renewToken = true;
      show(texts.signedOut, true);
    } else if (status === 403) {
      renewToken = true;
      show(texts.refused, false);
    } else if (status === 409) {
      show(texts.conflict, false);
    } else {
      show(texts.failed.replace("{status}", status), false);
    }
  });
  document.addEventListener("htmx:sendError", () => show(texts.offline, false));

  // The CSRF token of the session signed in since (from this page fetched
  // again), in every form of the page; false while still signed out.
  const renew = async () => {
    const response = await fetch(window.location.href, { credentials: "same-origin" });
    const loginPath = new URL(texts.loginUrl, window.location.href).pathname;
    if (!response.ok || new URL(response.url).pathname === loginPath) return false;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const token = page.querySelector("input[name=csrfmiddlewaretoken]")?.value;
    if (!token) return false;
    for (const field of document.querySelectorAll("input[name=csrfmiddlewaretoken]")) {
      field.value = token;
    }
    renewToken = false;
    document.getElementById("request-error")?.remove();
    return true;
  };

  document.addEventListener("htmx:confirm", (event) => {
    if (!renewToken) return;
    event.preventDefault();
    renew().then(
      (renewed) => (renewed ? event.detail.issueRequest(true) : show(texts.signedOut, true)),
      () => show(texts.offline, false),
    );
  });
  // A plain form (not sent by htmx) of the same page, after a 401 or 403.
  document.addEventListener("submit", (event) => {
    if (!renewToken || event.defaultPrevented) return;
    const form = event.target;
    const submitter = event.submitter;
    event.preventDefault();
    renew().then(
      (renewed) => (renewed ? form.requestSubmit(submitter) : show(texts.signedOut, true)),
      () => show(texts.offline, false),
    );
  });
})();
