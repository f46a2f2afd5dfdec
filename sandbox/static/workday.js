// Workday: the application as one page whose script fetches each step (no <form>, no names, no step
// in the URL), button dropdowns whose options (promptOption) exist only while the popup is open, the
// click_filter overlay on account buttons, and the "Select files" upload button.
// Listeners sit on the document from <head>, so controls work from the moment they are drawn.
(() => {
  "use strict";
  let popup = null;
  // Read afresh each time: every step the app draws brings its own option lists.
  const optionSets = () => JSON.parse(document.getElementById("sbx-options")?.textContent || "{}");
  // Legacy tenants mark controls with data-automation-id; current ones give them meaningful ids.
  const control = (key) => document.querySelector(`[data-automation-id="${key}"]`) || document.getElementById(key);
  const options = (button) => {
    if (!button.dataset.optionsBy) return optionSets()[button.dataset.options] || [];
    const country = control(button.dataset.optionsBy);
    return optionSets().__regions__[country?.value || ""] || [];
  };
  // The State list follows the country: a new country clears the state, and hides it where there is none.
  const followCountry = (countryButton) => {
    const key = countryButton.dataset.automationId || countryButton.id;
    document.querySelectorAll(`button[data-options-by="${key}"]`).forEach((region) => {
      region.value = "";
      region.textContent = "Select One";
      region.closest(".wd-field").hidden = options(region).length === 0;
    });
  };

  const closePopup = () => {
    if (!popup) return;
    popup.owner.setAttribute("aria-expanded", "false");
    popup.remove();
    popup = null;
  };

  const choose = (button, value) => {
    button.value = value;
    button.textContent = value;
    closePopup();
    followCountry(button);
    button.focus();
    button.dispatchEvent(new Event("change", { bubbles: true }));
  };

  const option = (button, value) => {
    const item = document.createElement("li");
    item.setAttribute("role", "option");
    item.setAttribute("data-automation-id", "promptOption");
    item.setAttribute("data-automation-label", value);
    item.setAttribute("aria-selected", String(button.value === value));
    item.tabIndex = -1;
    item.textContent = value;
    item.addEventListener("click", (e) => { e.stopPropagation(); choose(button, value); });
    return item;
  };

  const openPopup = (button) => {
    closePopup();
    popup = document.createElement("div");
    popup.owner = button;
    popup.setAttribute("data-automation-widget", "wd-popup");
    popup.setAttribute("data-associated-widget", button.id);
    popup.className = "wd-popup";
    const list = document.createElement("ul");
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-labelledby", button.id);
    options(button).forEach((value) => list.appendChild(option(button, value)));
    popup.appendChild(list);
    button.parentElement.appendChild(popup);
    button.setAttribute("aria-expanded", "true");
  };

  const selectFiles = (button) => button.parentElement.querySelector('[data-automation-id="file-upload-input-ref"]').click();

  const fileChosen = (input) => {
    const zone = input.parentElement;
    zone.querySelector(".wd-chosen")?.remove();
    if (!input.files.length) return;
    const chosen = document.createElement("div");
    chosen.className = "wd-chosen";
    chosen.setAttribute("data-automation-id", "file-upload-item-name");
    chosen.textContent = input.files[0].name;
    zone.appendChild(chosen);
  };

  const app = () => document.getElementById("wd-app");
  const config = () => JSON.parse(document.getElementById("sbx-config")?.textContent || "{}");

  const show = (data) => {
    if (data.redirect) { window.location.assign(data.redirect); return; }
    closePopup();
    app().innerHTML = data.html;
    app().setAttribute("aria-busy", "false");
    app().querySelectorAll("button[data-options-by]").forEach((region) => {
      region.closest(".wd-field").hidden = options(region).length === 0;
    });
    window.scrollTo(0, 0);
  };

  const load = async (at) => {
    const url = new URL(config().stepUrl, window.location.href);
    if (at) url.searchParams.set("at", at);
    show(await (await fetch(url)).json());
  };

  // Values keyed by data-automation-id, or by a current tenant's meaningful id, or by the field for
  // choice groups: the inputs carry no name.
  const keyOf = (el, field) => (el.id && el.id.includes("--") ? el.id : el.dataset.automationId || field);
  const collect = () => {
    const data = new FormData();
    const root = app();
    root.querySelectorAll('.wd-field[data-automation-id^="formField-"]').forEach((field) => {
      const key = field.dataset.automationId.slice("formField-".length);
      field.querySelectorAll("button.wd-dropdown").forEach((b) => { if (b.value) data.append(keyOf(b, key), b.value); });
      field.querySelectorAll(".wd-prompt").forEach((prompt) => {
        const box = prompt.querySelector(".wd-prompt-search");
        prompt.querySelectorAll('[data-automation-id="selectedItem"]').forEach((li) => data.append(keyOf(box, key), li.dataset.value));
      });
      field.querySelectorAll("input, textarea").forEach((el) => {
        if (el.matches(".wd-prompt-search")) return;
        const id = keyOf(el, key);
        if (el.type === "file") { if (el.files.length) data.append(id, el.files[0]); return; }
        if (el.type === "radio" || el.type === "checkbox") { if (el.checked) data.append(id, el.value); return; }
        if (el.value.trim()) data.append(id, el.value);
      });
    });
    const captcha = root.querySelector("[data-captcha-response]");
    if (captcha && captcha.value) data.append("g-recaptcha-response", captcha.value);
    data.append("wd-step", root.querySelector("[data-wd-step]").dataset.wdStep);
    const panels = [...root.querySelectorAll(".wd-panels > .wd-panel")].map((p) => p.dataset.automationId);
    if (panels.length) data.append("wd-panels", panels.join(","));
    return data;
  };

  const next = async (button) => {
    button.disabled = true;
    const resp = await fetch(config().stepUrl, { method: "POST", body: collect() });
    show(await resp.json());
  };

  const start = () => {
    if (app()) setTimeout(() => load(""), Number(config().renderDelayMs || 0));
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();

  document.addEventListener("click", (e) => {
    if (app()?.contains(e.target)) {
      const forward = e.target.closest('[data-automation-id="bottom-navigation-next-button"]');
      const back = e.target.closest('[data-automation-id="bottom-navigation-previous-button"]');
      if (forward) next(forward);
      if (back) load(back.dataset.back);
    }
    const dropdown = e.target.closest("button.wd-dropdown");
    const filter = e.target.closest('[data-automation-id="click_filter"]');
    const files = e.target.closest('[data-automation-id="select-files"]');
    if (dropdown) {
      if (popup && popup.owner === dropdown) closePopup(); else openPopup(dropdown);
    } else if (popup && !popup.contains(e.target)) {
      closePopup();
    }
    if (filter) filter.closest("form").requestSubmit();
    if (files) selectFiles(files);
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") closePopup();
    if (e.target.matches("button.wd-dropdown") && e.key === "ArrowDown" && !popup) {
      e.preventDefault();
      openPopup(e.target);
    }
    if (e.target.matches('[data-automation-id="click_filter"]') && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      e.target.closest("form").requestSubmit();
    }
  });
  document.addEventListener("change", (e) => {
    if (e.target.matches('[data-automation-id="file-upload-input-ref"]')) fileChosen(e.target);
    // Radios with no name do not group themselves: the app unchecks the others.
    if (e.target.matches('.wd-fieldset input[type="radio"]') && e.target.checked) {
      e.target.closest(".wd-fieldset").querySelectorAll('input[type="radio"]').forEach((r) => { if (r !== e.target) r.checked = false; });
    }
  });
})();
