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

// Month pickers: a text input that opens a calendar of months on focus. A click on a month writes
// MM/YYYY; typed text is read when the field is left (MM/YYYY, M/YYYY, "March 2019", "Mar 2019")
// and written as MM/YYYY, and anything else is dropped, as such pickers do.
(() => {
  "use strict";
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];
  const read = (text) => {
    const t = text.trim();
    let m = t.match(/^(\d{1,2})\s*\/\s*(\d{4})$/);
    if (m && +m[1] >= 1 && +m[1] <= 12) return [+m[2], +m[1]];
    m = t.match(/^([A-Za-z]{3,9})\.?\s+(\d{4})$/);
    const i = m ? MONTHS.findIndex((n) => n.toLowerCase().startsWith(m[1].toLowerCase()) && m[1].length >= 3) : -1;
    return i >= 0 ? [+m[2], i + 1] : null;
  };
  const write = ([year, month]) => `${String(month).padStart(2, "0")}/${year}`;
  const popupOf = (input) => input.parentElement.querySelector(".month-popup");
  const set = (input, value) => {
    input.value = value;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  };
  const draw = (input, year) => {
    const popup = popupOf(input);
    const chosen = read(input.value);
    popup.dataset.year = String(year);
    popup.innerHTML = `<div class="month-head"><button type="button" data-step="-1" aria-label="Previous year">&lsaquo;</button>`
      + `<span class="month-year">${year}</span><button type="button" data-step="1" aria-label="Next year">&rsaquo;</button></div>`
      + `<div class="month-grid">${MONTHS.map((name, i) => `<button type="button" class="month-cell${chosen && chosen[0] === year && chosen[1] === i + 1 ? " is-selected" : ""}"`
        + ` data-month="${i + 1}" aria-label="${name} ${year}">${name.slice(0, 3)}</button>`).join("")}</div>`;
    popup.hidden = false;
  };
  document.addEventListener("focusin", (e) => {
    if (!e.target.matches?.(".month-picker")) return;
    draw(e.target, (read(e.target.value) || [new Date().getFullYear()])[0]);
  });
  document.addEventListener("input", (e) => {
    if (!e.target.matches?.(".month-picker")) return;
    const found = read(e.target.value);
    if (found) draw(e.target, found[0]);
  });
  document.addEventListener("mousedown", (e) => {
    const popup = e.target.closest?.(".month-popup");
    if (!popup) return;
    e.preventDefault();  // the input keeps the focus while the calendar is used
    const input = popup.parentElement.querySelector(".month-picker");
    const step = e.target.closest("[data-step]");
    if (step) { draw(input, +popup.dataset.year + +step.dataset.step); return; }
    const cell = e.target.closest("[data-month]");
    if (!cell) return;
    set(input, write([+popup.dataset.year, +cell.dataset.month]));
    popup.hidden = true;
  });
  document.addEventListener("focusout", (e) => {
    if (!e.target.matches?.(".month-picker")) return;
    popupOf(e.target).hidden = true;
    const found = read(e.target.value);
    const value = found ? write(found) : "";
    if (value !== e.target.value) set(e.target, value);
  });
})();
