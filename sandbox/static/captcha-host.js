// On the platform page: receive the CAPTCHA frame's response token into the form's hidden field.
(() => {
  "use strict";
  window.addEventListener("message", (e) => {
    if (e.origin !== window.location.origin || !e.data || e.data.type !== "sbx-captcha") return;
    document.querySelectorAll("[data-captcha-response]").forEach((field) => { field.value = e.data.token; });
    document.querySelectorAll("[data-captcha-widget]").forEach((w) => w.classList.add("is-solved"));
    document.dispatchEvent(new CustomEvent("sbx-captcha-solved", { detail: { token: e.data.token } }));
  });
})();
