// React-select-style comboboxes. Options exist in the DOM only while the menu is open; typing filters
// them, or asks the server when the field has a data-source (location typeaheads).
(() => {
  "use strict";
  let optionSets = null;
  const optionsFor = (name) => {
    optionSets ||= JSON.parse(document.getElementById("sbx-options")?.textContent || "{}");
    return optionSets[name] || [];
  };

  class Combo {
    constructor(root) {
      this.root = root;
      this.field = root.dataset.field;
      this.multi = root.dataset.multi === "true";
      this.source = root.dataset.source || "";
      this.input = root.querySelector('input[role="combobox"]');
      this.control = root.querySelector(".select__control");
      this.shell = root.querySelector(".select-shell");
      this.values = [];
      this.menu = null;
      this.items = [];
      this.active = -1;
      this.seq = 0;
    }

    mousedown(e) {
      if (e.target.closest(".select__multi-value__remove, .select__menu")) return;
      e.preventDefault();
      this.input.focus();
      if (this.menu) this.close(); else this.open();
    }

    blur() {
      this.input.value = "";
      this.close();
    }

    async candidates() {
      const q = this.input.value.trim().toLowerCase();
      if (this.source) {
        if (!q) return [];
        const resp = await fetch(`${this.source}?q=${encodeURIComponent(q)}`);
        return (await resp.json()).results;
      }
      const all = optionsFor(this.root.dataset.options);
      return q ? all.filter((o) => o.toLowerCase().includes(q)) : all;
    }

    ensureMenu() {
      if (this.menu) return;
      this.menu = document.createElement("div");
      this.menu.className = "select__menu";
      const list = document.createElement("div");
      list.className = "select__menu-list";
      list.id = `react-select-${this.field}-listbox`;
      list.setAttribute("role", "listbox");
      if (this.multi) list.setAttribute("aria-multiselectable", "true");
      this.menu.appendChild(list);
      this.shell.appendChild(this.menu);
      this.input.setAttribute("aria-expanded", "true");
      this.input.setAttribute("aria-controls", list.id);
      this.root.classList.add("select--is-open");
    }

    async open() {
      this.ensureMenu();
      const seq = ++this.seq;
      if (this.source) this.notice("Loading...");
      const found = await this.candidates();
      if (seq === this.seq && this.menu) this.render(found);
    }

    notice(text) {
      const list = this.menu.firstChild;
      list.textContent = "";
      const el = document.createElement("div");
      el.className = "select__menu-notice";
      el.textContent = text;
      list.appendChild(el);
      this.items = [];
    }

    render(found) {
      const shown = this.multi ? found.filter((o) => !this.values.includes(o)) : found;
      if (!shown.length) {
        this.notice(this.source && !this.input.value.trim() ? "Start typing..." : "No options");
        return;
      }
      const list = this.menu.firstChild;
      list.textContent = "";
      this.items = shown.map((label, i) => this.option(list, label, i));
      this.focusItem(0);
    }

    option(list, label, i) {
      const el = document.createElement("div");
      el.className = "select__option";
      el.id = `react-select-${this.field}-option-${i}`;
      el.setAttribute("role", "option");
      el.setAttribute("aria-selected", String(this.values.includes(label)));
      el.tabIndex = -1;
      el.textContent = label;
      el.addEventListener("mousedown", (e) => e.preventDefault());
      el.addEventListener("click", () => this.pick(label));
      el.addEventListener("mousemove", () => this.focusItem(i));
      list.appendChild(el);
      return el;
    }

    focusItem(i) {
      if (!this.items.length) return;
      this.active = (i + this.items.length) % this.items.length;
      this.items.forEach((el, n) => el.classList.toggle("select__option--is-focused", n === this.active));
      const el = this.items[this.active];
      this.input.setAttribute("aria-activedescendant", el.id);
      el.scrollIntoView({ block: "nearest" });
    }

    key(e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (!this.menu) { this.open(); return; }
        this.focusItem(this.active + (e.key === "ArrowDown" ? 1 : -1));
      } else if (e.key === "Enter" && this.menu && this.items[this.active]) {
        e.preventDefault();
        this.pick(this.items[this.active].textContent);
      } else if (e.key === "Escape") {
        this.close();
      } else if (e.key === "Backspace" && !this.input.value && this.values.length) {
        this.values.pop();
        this.paint();
      }
    }

    pick(label) {
      if (!this.multi) this.values = [label];
      else if (!this.values.includes(label)) this.values.push(label);
      this.input.value = "";
      this.close();
      this.paint();
      this.root.dispatchEvent(new Event("change", { bubbles: true }));
    }

    close() {
      this.seq++;
      if (!this.menu) return;
      this.menu.remove();
      this.menu = null;
      this.items = [];
      this.active = -1;
      this.input.setAttribute("aria-expanded", "false");
      this.input.removeAttribute("aria-controls");
      this.input.setAttribute("aria-activedescendant", "");
      this.root.classList.remove("select--is-open");
    }

    paint() {
      const box = this.root.querySelector(".select__value-container");
      box.querySelectorAll(".select__single-value, .select__multi-value").forEach((el) => el.remove());
      const before = box.querySelector(".select__input-container");
      this.values.forEach((v) => box.insertBefore(this.chip(v), before));
      box.querySelector(".select__placeholder").hidden = this.values.length > 0;
      const req = this.root.querySelector(".select__required-input");
      if (req) req.value = this.values.join(",");
    }

    chip(value) {
      const el = document.createElement("div");
      if (!this.multi) {
        el.className = "select__single-value";
        el.textContent = value;
        return el;
      }
      el.className = "select__multi-value";
      const label = document.createElement("div");
      label.className = "select__multi-value__label";
      label.textContent = value;
      const remove = document.createElement("div");
      remove.className = "select__multi-value__remove";
      remove.setAttribute("role", "button");
      remove.setAttribute("aria-label", `Remove ${value}`);
      remove.textContent = "\u00d7";
      remove.addEventListener("click", () => {
        this.values = this.values.filter((v) => v !== value);
        this.paint();
      });
      el.append(label, remove);
      return el;
    }
  }

  // One set of listeners on the document, installed from <head>: a combobox works as soon as it is
  // drawn, and one added later (another education row) needs no setup.
  window.sbxCombos = new Map();
  const comboFor = (el) => {
    const root = el instanceof Element ? el.closest("[data-combobox]") : null;
    if (!root) return null;
    if (!root.combo) {
      root.combo = new Combo(root);
      window.sbxCombos.set(root.dataset.field, root.combo);
    }
    return root.combo;
  };
  window.sbxCombo = comboFor;
  document.addEventListener("mousedown", (e) => {
    if (e.target.closest(".select__control")) comboFor(e.target)?.mousedown(e);
  });
  document.addEventListener("input", (e) => { if (e.target.matches('input[role="combobox"]')) comboFor(e.target)?.open(); });
  document.addEventListener("keydown", (e) => { if (e.target.matches('input[role="combobox"]')) comboFor(e.target)?.key(e); });
  document.addEventListener("focusout", (e) => { if (e.target.matches('input[role="combobox"]')) comboFor(e.target)?.blur(); });
})();
