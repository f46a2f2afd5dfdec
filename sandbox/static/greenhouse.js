// Greenhouse job board: attachments, "Enter manually", "Add another" education, the 8-box security code,
// and the submit, which posts every field keyed by its id and shows the server's errors inline.
// Listeners sit on the document from <head>, so the form works from the moment it is drawn.
(() => {
  "use strict";
  const form = () => document.getElementById("application-form");
  const security = () => document.getElementById("email-verification");
  // The code boxes exist only once the step is due: the page draws them from their template then.
  const showSecurity = () => {
    if (!security()) document.getElementById("security-code-slot").appendChild(document.getElementById("security-code-template").content.cloneNode(true));
    return security();
  };
  const codeBoxes = () => [...document.querySelectorAll(".security-input")];
  const submitButton = () => form().querySelector(".application--submit button");
  let educationCount = 1;

  const fileChosen = (input) => {
    const box = document.getElementById(`${input.id}-filename`);
    box.textContent = "";
    box.hidden = !input.files.length;
    if (!input.files.length) return;
    const name = document.createElement("span");
    name.className = "file-upload__name";
    name.textContent = input.files[0].name;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "icon-button";
    remove.setAttribute("aria-label", "Remove file");
    remove.dataset.removeFile = input.id;
    remove.textContent = "\u00d7";
    box.append(name, remove);
  };

  const enterManually = (id) => {
    let area = document.getElementById(`${id}_text`);
    if (!area) {
      area = document.createElement("textarea");
      area.id = `${id}_text`;
      area.className = "input input__multi-line";
      area.rows = 8;
      document.getElementById(`${id}-manual`).appendChild(area);
    }
    area.focus();
  };

  const addEducation = () => {
    const html = document.getElementById("education-template").innerHTML.replaceAll("__N__", String(educationCount++));
    const holder = document.createElement("div");
    holder.innerHTML = html;
    form().querySelector(".education--forms").appendChild(holder.firstElementChild);
  };

  document.addEventListener("click", (e) => {
    if (!form()?.contains(e.target)) return;
    const attach = e.target.closest("[data-attach]");
    if (attach) document.getElementById(attach.dataset.attach).click();
    const manual = e.target.closest("[data-manual]");
    if (manual) enterManually(manual.dataset.manual);
    const remove = e.target.closest("[data-remove-file]");
    if (remove) {
      const input = document.getElementById(remove.dataset.removeFile);
      input.value = "";
      fileChosen(input);
    }
    if (e.target.closest(".add-another-button")) addEducation();
  });
  document.addEventListener("change", (e) => {
    if (e.target.matches('#application-form input[type="file"]')) fileChosen(e.target);
  });

  // As the phone picker does, a typed number is rewritten in the chosen country's format when the
  // field loses focus; a strict E.164 number ("+442079460000") is left as typed.
  const dialCode = () => ((window.sbxCombos.get("country")?.values[0] || "").match(/\+(\d+)$/) || [])[1] || "";
  const formatPhone = (raw, code) => {
    let digits = raw.replace(/\D/g, "");
    if (!code || !digits || /^\+\d{8,15}$/.test(raw.trim())) return raw;
    if (raw.trim().startsWith("+")) {
      if (!digits.startsWith(code)) return raw;
      digits = digits.slice(code.length);
    } else {
      digits = digits.replace(/^0/, "");
    }
    if (code === "1" && digits.length === 10) return `+1 (${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`;
    const groups = [];
    while (digits.length > 4) { groups.push(digits.slice(0, 3)); digits = digits.slice(3); }
    return `+${code} ${[...groups, digits].join(" ")}`;
  };
  document.addEventListener("focusout", (e) => {
    if (e.target.id === "phone" && e.target.closest("#application-form")) e.target.value = formatPhone(e.target.value, dialCode());
  });

  const syncSubmit = () => {
    if (security()) submitButton().disabled = codeBoxes().some((box) => !box.value);
  };
  document.addEventListener("input", (e) => {
    if (!e.target.matches(".security-input")) return;
    const boxes = codeBoxes();
    const i = boxes.indexOf(e.target);
    e.target.value = e.target.value.slice(-1).toUpperCase();
    if (e.target.value && i < boxes.length - 1) boxes[i + 1].focus();
    syncSubmit();
  });
  document.addEventListener("paste", (e) => {
    if (!e.target.matches(".security-input")) return;
    const text = (e.clipboardData.getData("text") || "").replace(/\s+/g, "").toUpperCase();
    if (text.length < 2) return;
    e.preventDefault();
    const boxes = codeBoxes();
    const i = boxes.indexOf(e.target);
    [...text.slice(0, boxes.length - i)].forEach((c, k) => { boxes[i + k].value = c; });
    boxes[Math.min(boxes.length - 1, i + text.length - 1)].focus();
    syncSubmit();
  });
  document.addEventListener("keydown", (e) => {
    if (!e.target.matches(".security-input") || e.key !== "Backspace" || e.target.value) return;
    const boxes = codeBoxes();
    const i = boxes.indexOf(e.target);
    if (i > 0) boxes[i - 1].focus();
  });

  const collect = () => {
    const data = new FormData();
    const root = form();
    root.querySelectorAll("input.input, textarea.input").forEach((el) => {
      if (el.id && el.value.trim()) data.append(el.id, el.value);
    });
    window.sbxCombos.forEach((combo, field) => {
      if (root.contains(combo.root)) combo.values.forEach((v) => data.append(field, v));
    });
    root.querySelectorAll('input[type="checkbox"]:checked').forEach((el) => data.append(el.name, el.value));
    root.querySelectorAll('input[type="file"]').forEach((el) => { if (el.files.length) data.append(el.id, el.files[0]); });
    const captcha = root.querySelector("[data-captcha-response]");
    if (captcha && captcha.value) data.append(captcha.name, captcha.value);
    if (security()) data.append("security_code", codeBoxes().map((b) => b.value).join(""));
    return data;
  };

  const banner = () => document.querySelector(".application--error");

  const clearErrors = () => {
    banner().hidden = true;
    form().querySelectorAll(".helper-text--error").forEach((p) => { p.hidden = true; p.textContent = ""; });
    form().querySelectorAll('[aria-invalid="true"]').forEach((el) => el.setAttribute("aria-invalid", "false"));
  };

  const showErrors = (errors) => {
    let first = null;
    Object.entries(errors).forEach(([id, message]) => {
      const p = document.getElementById(`${id}-error`);
      if (p) { p.textContent = message; p.hidden = false; first ||= p; }
      document.getElementById(id)?.setAttribute("aria-invalid", "true");
    });
    first?.closest(".field-wrapper, .security-code")?.scrollIntoView({ block: "center" });
  };

  const submit = async () => {
    const config = JSON.parse(document.getElementById("sbx-config").textContent);
    clearErrors();
    submitButton().disabled = true;
    const body = collect();
    const recaptcha = window.grecaptcha && window.grecaptcha.enterprise;
    if (recaptcha) body.append("g-recaptcha-enterprise-token", await recaptcha.execute(config.recaptchaKey, { action: "apply_to_job" }));
    const resp = await fetch(config.submitUrl, { method: "POST", body });
    const data = await resp.json();
    if (data.redirect) { window.location.assign(data.redirect); return; }
    submitButton().disabled = false;
    if (data.security_code_required) {
      showSecurity().querySelector(".security-code__email").textContent = data.email;
      codeBoxes()[0].focus();
      syncSubmit();
      return;
    }
    if (data.errors) showErrors(data.errors);
    if (data.message) { banner().textContent = data.message; banner().hidden = false; banner().scrollIntoView(); }
  };

  document.addEventListener("submit", (e) => {
    if (e.target.id !== "application-form") return;
    e.preventDefault();
    submit();
  });
})();
