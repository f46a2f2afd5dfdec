// Ashby application form: resume button, Yes/No toggle buttons, and the scripted submit.
// Listeners sit on the document from <head>, so the form works from the moment it is drawn.
(() => {
  "use strict";
  const form = () => document.querySelector(".ashby-application-form-container");
  const failure = () => document.querySelector(".ashby-application-form-failure");

  const toggle = (button) => {
    const group = button.closest("._yesno_");
    const on = button.getAttribute("aria-pressed") !== "true";
    group.querySelectorAll("button").forEach((b) => { b.setAttribute("aria-pressed", "false"); b.classList.remove("_active_"); });
    button.setAttribute("aria-pressed", String(on));
    button.classList.toggle("_active_", on);
  };

  // Autofill from resume: the parser's findings replace whatever the fields hold.
  const autofill = async (input) => {
    if (!input.files.length) return;
    const body = new FormData();
    body.append("file", input.files[0]);
    const resp = await fetch("/ashby/api/parseResume", { method: "POST", body });
    if (!resp.ok) return;
    const found = await resp.json();
    [["_systemfield_name", found.name], ["_systemfield_email", found.email], ["_systemfield_phone", found.phone]].forEach(([id, value]) => {
      const field = document.getElementById(id);
      if (field && value) field.value = value;
    });
    document.querySelector("[data-autofill-pane]").classList.add("_autofilled_");
  };

  document.addEventListener("click", (e) => {
    if (e.target.closest("[data-autofill-button]")) document.querySelector("[data-autofill-input]").click();
    const upload = e.target.closest("[data-upload]");
    if (upload) document.getElementById(upload.dataset.upload).click();
    const option = e.target.closest("._yesno_ button");
    if (option) toggle(option);
    if (e.target.closest(".ashby-application-form-submit-button")) submit();
  });
  document.addEventListener("change", (e) => {
    if (e.target.matches("[data-autofill-input]")) autofill(e.target);
    if (e.target.id !== "_systemfield_resume") return;
    const input = e.target;
    document.getElementById(`${input.id}-filename`).textContent = input.files.length ? input.files[0].name : "";
    document.querySelector('[data-upload="_systemfield_resume"]').textContent = input.files.length ? "Replace" : "Upload File";
  });

  // No <form> to serialise: walk the named controls, and read Yes/No from the pressed buttons.
  const collect = () => {
    const data = new FormData();
    form().querySelectorAll("input[name], textarea[name]").forEach((el) => {
      if (el.type === "file") { if (el.files.length) data.append(el.name, el.files[0]); return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      if (el.value.trim()) data.append(el.name, el.value);
    });
    form().querySelectorAll("[data-field-path] ._yesno_ button[aria-pressed=true]").forEach((b) => {
      data.append(b.closest("[data-field-path]").dataset.fieldPath, b.dataset.value);
    });
    window.sbxCombos.forEach((combo, field) => combo.values.forEach((v) => data.append(field, v)));
    return data;
  };

  const showErrors = (message, errors) => {
    const box = failure();
    box.textContent = message;
    box.hidden = false;
    const list = document.createElement("ul");
    Object.entries(errors || {}).forEach(([id, text]) => {
      const li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
      const p = document.getElementById(`${id}-error`);
      if (p) { p.textContent = text; p.hidden = false; }
    });
    if (errors) box.appendChild(list);
    box.scrollIntoView();
  };

  const done = (data) => {
    const block = document.createElement("div");
    block.className = "ashby-application-form-success-container";
    const heading = document.createElement("h2");
    heading.textContent = data.title;
    const text = document.createElement("p");
    text.textContent = data.message;
    block.append(heading, text);
    form().replaceWith(block);
  };

  const submit = async () => {
    const config = JSON.parse(document.getElementById("sbx-config").textContent);
    const button = form().querySelector(".ashby-application-form-submit-button");
    failure().hidden = true;
    form().querySelectorAll(".ashby-application-form-field-error").forEach((p) => { p.hidden = true; });
    button.disabled = true;
    const body = collect();
    if (window.grecaptcha) body.append("g-recaptcha-v3-token", await window.grecaptcha.execute(config.recaptchaKey, { action: "submit" }));
    const resp = await fetch(config.submitUrl, { method: "POST", body });
    const data = await resp.json();
    button.disabled = false;
    if (data.success) done(data); else showErrors(data.message, data.errors);
  };

})();
