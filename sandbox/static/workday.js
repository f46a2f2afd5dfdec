// Workday: button dropdowns whose options (promptOption) exist only while the popup is open, the
// click_filter overlay on account buttons, and the "Select files" upload button.
// Listeners sit on the document from <head>, so controls work from the moment they are drawn.
(() => {
  "use strict";
  let optionSets = null;
  let popup = null;
  const options = (name) => {
    optionSets ||= JSON.parse(document.getElementById("sbx-options")?.textContent || "{}");
    return optionSets[name] || [];
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
    button.nextElementSibling.value = value;
    closePopup();
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
    options(button.dataset.options).forEach((value) => list.appendChild(option(button, value)));
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

  document.addEventListener("click", (e) => {
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
  });
})();
