// When an htmx request fails, say so beside what was pressed, not nothing: htmx
// leaves the page as it is on an error answer (4xx, 5xx) or on no answer at
// all, so a Save that did not save looked like one that did. The message says
// that nothing was saved and that what was typed is still on the page.
//
// An ended session is answered 401 (core.middleware.HtmxSessionEndedMiddleware):
// the message offers to sign in again in a new tab. Signing in renews the CSRF
// token, so after a 401 or a 403 the next request of this page first fetches
// the page again and takes its fresh token; pressing the button again then
// saves what was typed. A plain form posted from a page open for 5 minutes or
// more is checked the same way first, so that an ended session never trades
// what was typed for the login page. The texts come translated from the page
// (#client-texts, templates/base.html). No inline script: the Content
// Security Policy stays strict.
(() => {
  const texts = document.getElementById("client-texts")?.dataset;
  if (!texts) return;
  let renewToken = false;

  // The message goes beside what was pressed or typed in (the end of its table
  // cell, card or form), where the eyes are, and covers nothing.
  const show = (message, offerLogin, near) => {
    let box = document.getElementById("request-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "request-error";
      box.className = "alert alert-danger mt-2 mb-2 d-print-none";
      box.setAttribute("role", "alert");
    }
    const place = near?.closest("td, .card-body, form") || near?.parentElement;
    if (place) place.append(box);
    else if (!box.isConnected) document.querySelector("main")?.prepend(box);
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
    box.scrollIntoView({ block: "nearest" });
  };

  document.addEventListener("htmx:responseError", (event) => {
    const near = event.detail.elt;
    const xhr = event.detail.xhr;
    const status = xhr.status;
    // A short plain-text answer is the server's own message (e.g. a form still
    // being processed).
    const plain = (xhr.getResponseHeader("Content-Type") || "").startsWith("text/plain")
      ? xhr.responseText.trim()
      : "";
    if (plain && plain.length <= 500) {
      show(plain, false, near);
    } else if (status === 401) {
      renewToken = true;
      show(texts.signedOut, true, near);
    } else if (status === 403) {
      renewToken = true;
      show(texts.refused, false, near);
    } else if (status === 409) {
      show(texts.conflict, false, near);
    } else {
      show(texts.failed.replace("{status}", status), false, near);
    }
  });
  document.addEventListener("htmx:sendError", (event) =>
    show(texts.offline, false, event.detail.elt),
  );

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

  // Fetches the page again, then `send()`s when still signed in, else says the
  // session has ended. One check at a time per element: a second click while
  // the page is being fetched again is dropped, not sent twice.
  const checking = new WeakSet();
  const renewThen = (elt, send, signedOut) => {
    if (checking.has(elt)) return;
    checking.add(elt);
    renew()
      .then(
        (renewed) => (renewed ? send() : signedOut()),
        () => show(texts.offline, false, elt),
      )
      .finally(() => checking.delete(elt));
  };

  document.addEventListener("htmx:confirm", (event) => {
    if (!renewToken || event.defaultPrevented) return; // (unsaved.js may hold it)
    event.preventDefault();
    const near = event.detail.elt;
    renewThen(
      near,
      () => event.detail.issueRequest(true),
      () => show(texts.signedOut, true, near),
    );
  });
  // A plain form (not sent by htmx) posted from a page open for a while, or
  // after a 401 or 403: the session may have ended meanwhile, and the login
  // page would then take the place of the form and of what was typed in it.
  // The page is fetched again first: signed in, the form is sent with the
  // session's current CSRF token; signed out, it stays as typed and the
  // message offers to sign in again.
  const loadedAt = Date.now();
  const CHECK_AFTER_MS = 5 * 60 * 1000;
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || form.method !== "post") return;
    // Signing out and choosing the language need no session.
    if (form.hasAttribute("data-no-session-check")) return;
    if (form.dataset.sessionChecked) {
      delete form.dataset.sessionChecked;
      return;
    }
    if (!renewToken && Date.now() - loadedAt < CHECK_AFTER_MS) return;
    const submitter = event.submitter;
    event.preventDefault();
    renewThen(
      form,
      () => {
        form.dataset.sessionChecked = "true";
        form.requestSubmit(submitter);
      },
      () => {
        renewToken = true;
        if (form.hasAttribute("data-warn-unsaved")) form.dataset.dirty = "true";
        show(texts.signedOut, true, form);
      },
    );
  });
})();
