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
    if (data.limit) {
      const note = document.createElement("div");
      note.className = "artdeco-inline-feedback artdeco-inline-feedback--error jobs-easy-apply-limit";
      note.setAttribute("role", "alert");
      note.textContent = data.limit;
      content().appendChild(note);
      return;
    }
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

  // The inputs have no names: values go keyed by DOM id (radio groups by their fieldset's id).
  const collect = (form) => {
    const data = new FormData();
    form.querySelectorAll("select, input, textarea").forEach((el) => {
      const key = el.id || el.name;
      if (el.type === "file") { if (el.files.length) data.append(key, el.files[0]); return; }
      if (el.type === "radio") { if (el.checked) data.append(el.closest("fieldset").id, el.value); return; }
      if (el.type === "checkbox") { if (el.checked) data.append(key, el.value); return; }
      if (key && el.value.trim()) data.append(key, el.value);
    });
    return data;
  };

  const step = async (button) => {
    button.disabled = true;
    const form = content().querySelector("form");
    const data = await post(`${draft}/${form.dataset.step}`, collect(form));
    if (data.html) show(data.html); else button.disabled = false;
  };

  const back = async (button) => {
    const resp = await fetch(url(`${draft}/${button.dataset.targetStep}`));
    show((await resp.json()).html);
  };

  const outside = (button) => { window.open(button.dataset.externalUrl, "_blank", "noopener"); };

  const actions = [
    ["button.jobs-apply-button[data-external-url]", outside],
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
  // Location typeahead: suggestions as you type; only a chosen suggestion stays when the box is left.
  const suggest = async (input) => {
    const list = input.parentElement.querySelector('[role="listbox"]');
    delete input.dataset.chosen;
    const text = input.value.trim();
    if (!text) { list.hidden = true; return; }
    const resp = await fetch(`${input.dataset.typeahead}?q=${encodeURIComponent(text)}`);
    const { elements } = await resp.json();
    if (input.value.trim() !== text) return;
    list.textContent = "";
    elements.forEach(({ title }) => {
      const option = document.createElement("div");
      option.setAttribute("role", "option");
      option.className = "basic-typeahead__selectable";
      option.textContent = title;
      option.addEventListener("mousedown", (ev) => {
        ev.preventDefault();
        input.value = title;
        input.dataset.chosen = title;
        list.hidden = true;
        input.setAttribute("aria-expanded", "false");
      });
      list.appendChild(option);
    });
    list.hidden = !elements.length;
    input.setAttribute("aria-expanded", String(!!elements.length));
  };
  document.addEventListener("input", (e) => { if (e.target.matches("input[data-typeahead]")) suggest(e.target); });
  document.addEventListener("focusout", (e) => {
    if (!e.target.matches("input[data-typeahead]")) return;
    e.target.parentElement.querySelector('[role="listbox"]').hidden = true;
    if (e.target.dataset.chosen !== e.target.value) e.target.value = "";
  });

  document.addEventListener("keydown", (e) => {
    const label = e.target.closest("label.jobs-document-upload__upload-button");
    if (label && e.key === "Enter") document.getElementById(label.htmlFor).click();
  });
  document.addEventListener("change", (e) => {
    if (e.target.matches('.jobs-easy-apply-modal input[type="radio"]') && e.target.checked) {
      e.target.closest("fieldset").querySelectorAll('input[type="radio"]').forEach((r) => { if (r !== e.target) r.checked = false; });
    }
    if (e.target.matches('.jobs-easy-apply-modal input[type="file"]') && e.target.files.length) {
      // A new upload is the resume now: the earlier cards let go.
      document.querySelectorAll(".jobs-document-upload-redesign-card__toggle-input").forEach((r) => { r.checked = false; });
    }
    if (e.target.matches('.jobs-easy-apply-modal input[type="file"]')) {
      e.target.nextElementSibling.textContent = e.target.files.length ? e.target.files[0].name : "";
    }
  });
})();
