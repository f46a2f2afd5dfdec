// LinkedIn Easy Apply: open the modal, post each step, swap in the next one the server sends back.
// Listeners sit on the document from <head>, so the button works from the moment it is drawn.
(() => {
  "use strict";
  let draft = null;
  const config = () => JSON.parse(document.getElementById("sbx-config").textContent);
  const outlet = () => document.getElementById("artdeco-modal-outlet");
  const content = () => outlet().querySelector(".jobs-easy-apply-modal__content");
  const url = (path) => `${config().base}/${path}${config().qs}`;

  const show = (html) => { content().innerHTML = html; };

  const post = async (path, body) => {
    const resp = await fetch(url(path), { method: "POST", body });
    return resp.json();
  };

  const open = async () => {
    if (outlet().childElementCount) return;
    outlet().appendChild(document.getElementById("easy-apply-modal").content.cloneNode(true));
    outlet().querySelector("#jobs-apply-header").textContent = `Apply to ${config().company}`;
    const data = await post("start", new FormData());
    if (!data.html) { content().textContent = data.error; return; }
    draft = data.draft;
    show(data.html);
  };

  const close = () => { outlet().textContent = ""; };

  const confirmDismiss = () => {
    const dialog = document.createElement("div");
    dialog.className = "artdeco-modal artdeco-modal--layer-confirmation";
    dialog.setAttribute("role", "alertdialog");
    dialog.innerHTML = '<h2 class="t-20">Save this application?</h2><p>Save to return to this application later.</p>'
      + '<div class="artdeco-modal__actionbar"><button type="button" class="artdeco-modal__confirm-dialog-btn artdeco-button'
      + ' artdeco-button--secondary" data-control-name="discard_application_confirm_btn">Discard</button>'
      + '<button type="button" class="artdeco-modal__confirm-dialog-btn artdeco-button artdeco-button--primary"'
      + ' data-control-name="save_application_btn">Save</button></div>';
    outlet().querySelector(".artdeco-modal-overlay").appendChild(dialog);
  };

  const step = async (button) => {
    button.disabled = true;
    const form = content().querySelector("form");
    const data = await post(`${draft}/${form.dataset.step}`, new FormData(form));
    if (data.html) show(data.html); else button.disabled = false;
  };

  const back = async (button) => {
    const resp = await fetch(url(`${draft}/${button.dataset.targetStep}`));
    show((await resp.json()).html);
  };

  const actions = [
    ["button.jobs-apply-button", open],
    [".artdeco-modal__dismiss", confirmDismiss],
    ['[data-control-name="discard_application_confirm_btn"]', async () => { await post("discard", new FormData()); close(); }],
    ['[data-control-name="save_application_btn"]', close],
    ["[data-test-dialog-primary-btn]", () => window.location.reload()],
    ["[data-easy-apply-back-button]", back],
    ["[data-step-submit]", step],
  ];
  document.addEventListener("click", (e) => {
    for (const [selector, action] of actions) {
      const target = e.target.closest(selector);
      if (target) { action(target); return; }
    }
  });
  document.addEventListener("keydown", (e) => {
    const label = e.target.closest("label.jobs-document-upload__upload-button");
    if (label && e.key === "Enter") document.getElementById(label.htmlFor).click();
  });
  document.addEventListener("change", (e) => {
    if (e.target.matches('.jobs-easy-apply-modal input[type="file"]')) {
      e.target.nextElementSibling.textContent = e.target.files.length ? e.target.files[0].name : "";
    }
  });
})();
