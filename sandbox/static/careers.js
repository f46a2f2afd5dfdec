// The careers site: its cookie banner (over everything until answered), the intl-tel-input phone
// picker, and <sbx-level>, whose radios live in a shadow root and whose value reaches the form.
(() => {
  "use strict";
  const answered = () => document.cookie.split("; ").some((c) => c.startsWith("cookie_consent="));
  document.addEventListener("click", (e) => {
    const choice = e.target.closest("[data-cookie]");
    if (!choice) return;
    document.cookie = `cookie_consent=${choice.dataset.cookie}; path=/; SameSite=Lax`;
    document.getElementById("cookie-consent")?.remove();
  });
  document.addEventListener("DOMContentLoaded", () => { if (answered()) document.getElementById("cookie-consent")?.remove(); });

  // intl-tel-input: a searchable country list; typing "+<code>" picks the country as well.
  const data = () => JSON.parse(document.getElementById("iti-countries")?.textContent || '{"countries":[]}');
  const picker = () => document.querySelector(".iti");
  const setCountry = (name, code) => {
    const root = picker();
    root.querySelector(".iti__selected-dial-code").textContent = `+${code}`;
    const button = root.querySelector(".iti__selected-country");
    button.setAttribute("aria-label", `Selected country: ${name} +${code}`);
    button.title = name;
    document.querySelector('input[name="tel_country"]').value = name;
  };
  const drawList = (filter) => {
    const list = picker().querySelector(".iti__country-list");
    list.textContent = "";
    data().countries.filter(([name, code]) => `${name} +${code}`.toLowerCase().includes(filter.toLowerCase())).forEach(([name, code]) => {
      const li = document.createElement("li");
      li.className = "iti__country";
      li.setAttribute("role", "option");
      li.dataset.dialCode = code;
      li.innerHTML = '<span class="iti__country-name"></span> <span class="iti__dial-code"></span>';
      li.querySelector(".iti__country-name").textContent = name;
      li.querySelector(".iti__dial-code").textContent = `+${code}`;
      li.addEventListener("click", () => { setCountry(name, code); toggle(false); });
      list.appendChild(li);
    });
  };
  const toggle = (open) => {
    const root = picker();
    root.querySelector(".iti__dropdown-content").classList.toggle("iti__hide", !open);
    root.querySelector(".iti__selected-country").setAttribute("aria-expanded", String(open));
    if (open) { drawList(""); root.querySelector(".iti__search-input").focus(); } else root.querySelector(".iti__country-list").textContent = "";
  };
  document.addEventListener("click", (e) => {
    if (e.target.closest(".iti__selected-country")) toggle(picker().querySelector(".iti__dropdown-content").classList.contains("iti__hide"));
    else if (picker() && !e.target.closest(".iti__dropdown-content")) toggle(false);
  });
  document.addEventListener("input", (e) => {
    if (e.target.matches(".iti__search-input")) drawList(e.target.value);
    if (e.target.matches(".iti__tel-input")) {
      const digits = (e.target.value.match(/^\+(\d{1,3})/) || [])[1];
      if (!digits) return;
      const { countries, priority } = data();
      for (let n = Math.min(3, digits.length); n > 0; n--) {
        const code = digits.slice(0, n);
        const name = priority[code] || (countries.find(([, c]) => c === code) || [])[0];
        if (name) { setCountry(name, code); return; }
      }
    }
  });

  class SbxLevel extends HTMLElement {
    static formAssociated = true;
    constructor() {
      super();
      this.internals = this.attachInternals();
    }

    // Attributes are there once connected (not yet in the constructor of a parsed element).
    connectedCallback() {
      if (this.shadowRoot) return;
      const shadow = this.attachShadow({ mode: "open" });
      const group = document.createElement("div");
      group.setAttribute("role", "radiogroup");
      group.setAttribute("aria-label", "Your level of English");
      (this.getAttribute("options") || "").split("|").forEach((option) => {
        const label = document.createElement("label");
        const radio = document.createElement("input");
        radio.type = "radio";
        radio.name = "level";
        radio.value = option;
        radio.checked = option === this.getAttribute("value");
        radio.addEventListener("change", () => this.internals.setFormValue(option));
        label.append(radio, ` ${option}`);
        group.appendChild(label);
      });
      shadow.appendChild(group);
      if (this.getAttribute("value")) this.internals.setFormValue(this.getAttribute("value"));
    }
  }
  customElements.define("sbx-level", SbxLevel);
})();
