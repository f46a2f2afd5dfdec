// Workday's searchable prompts (nested categories, multi-select pills, or server suggestions), the
// Add / Delete panels of My Experience, and segmented dates whose parts are spinbuttons.
// Listeners sit on the document, so whatever the app draws later works without setup.
(() => {
  "use strict";
  let open = null; // { root, popup }
  const sets = () => JSON.parse(document.getElementById("sbx-options")?.textContent || "{}");
  const treeOf = (root) => {
    const name = root.dataset.promptTree;
    const all = sets();
    return (all.__trees__ || {})[name] || (all[name] || []).map((v) => [v, []]);
  };
  const leavesOf = (tree) => tree.flatMap(([name, kids]) => (kids.length ? kids : [name]));
  const chosen = (root) => [...root.querySelectorAll('[data-automation-id="selectedItem"]')].map((li) => li.dataset.value);
  const search = (root) => root.querySelector(".wd-prompt-search");

  const close = () => {
    if (!open) return;
    open.popup.remove();
    search(open.root).setAttribute("aria-expanded", "false");
    search(open.root).value = ""; // text that was not chosen does not stay
    open = null;
  };

  const pill = (value) => {
    const li = document.createElement("li");
    li.setAttribute("data-automation-id", "selectedItem");
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "true");
    li.dataset.value = value;
    const label = document.createElement("span");
    label.className = "wd-pill-label";
    label.textContent = value;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.tabIndex = -1;
    remove.setAttribute("data-automation-id", "DELETE_charm");
    remove.setAttribute("aria-label", `Remove ${value}`);
    remove.textContent = "\u00d7";
    li.append(label, remove);
    return li;
  };

  const choose = (root, value) => {
    const list = root.querySelector('[data-automation-id="selectedItemList"]');
    const multi = root.dataset.promptMulti === "true";
    const existing = [...list.children].find((li) => li.dataset.value === value);
    if (existing && multi) existing.remove();
    else if (!existing) {
      if (!multi) list.textContent = "";
      list.appendChild(pill(value));
    }
    if (multi && open) { search(root).value = ""; draw(root, top(root)); } else close();
    root.dispatchEvent(new Event("change", { bubbles: true }));
  };

  const entry = (root, label, kind) => {
    const li = document.createElement("li");
    li.tabIndex = -1;
    if (kind === "back") {
      li.setAttribute("role", "button");
      li.setAttribute("data-automation-id", "backButton");
      li.textContent = `\u2039 ${label}`;
      li.addEventListener("click", (e) => { e.stopPropagation(); draw(root, top(root)); });
      return li;
    }
    li.setAttribute("role", "option");
    li.setAttribute("data-automation-id", "promptOption");
    li.setAttribute("data-automation-label", label);
    if (kind === "category") {
      li.setAttribute("aria-haspopup", "true");
      li.className = "wd-category";
      li.textContent = `${label} \u203a`;
      const kids = treeOf(root).find(([name]) => name === label)[1];
      li.addEventListener("click", (e) => {
        e.stopPropagation();
        draw(root, [["back", label], ...kids.map((k) => ["leaf", k])]);
      });
      return li;
    }
    li.setAttribute("aria-selected", String(chosen(root).includes(label)));
    const leaf = document.createElement("div");
    leaf.setAttribute("data-automation-id", "promptLeafNode");
    leaf.textContent = label;
    li.appendChild(leaf);
    li.addEventListener("click", (e) => { e.stopPropagation(); choose(root, label); });
    return li;
  };

  const top = (root) => treeOf(root).map(([name, kids]) => [kids.length ? "category" : "leaf", name]);

  const draw = (root, entries) => {
    if (!open || open.root !== root) {
      close();
      const popup = document.createElement("div");
      popup.setAttribute("data-automation-widget", "wd-popup");
      popup.setAttribute("data-associated-widget", search(root).id);
      popup.className = "wd-popup";
      // As in Workday, a press on an option keeps the focus in the search box: the list can redraw
      // under the pointer without the prompt losing focus and closing.
      popup.addEventListener("mousedown", (e) => e.preventDefault());
      const list = document.createElement("ul");
      list.setAttribute("role", "listbox");
      popup.appendChild(list);
      root.appendChild(popup);
      search(root).setAttribute("aria-expanded", "true");
      open = { root, popup };
    }
    const list = open.popup.firstChild;
    list.textContent = "";
    entries.forEach(([kind, label]) => list.appendChild(entry(root, label, kind)));
    if (!entries.length) {
      const none = document.createElement("li");
      none.setAttribute("data-automation-id", "promptNoResults");
      none.textContent = "No Items.";
      list.appendChild(none);
    }
  };

  const matches = async (root, text) => {
    const q = text.trim().toLowerCase();
    if (root.dataset.promptSource) {
      if (!q) return [];
      const resp = await fetch(`${root.dataset.promptSource}?q=${encodeURIComponent(text.trim())}`);
      return (await resp.json()).results;
    }
    return leavesOf(treeOf(root)).filter((leaf) => leaf.toLowerCase().includes(q));
  };

  const showSearch = async (root) => {
    const text = search(root).value;
    if (!text.trim()) { draw(root, root.dataset.promptSource ? [] : top(root)); return; }
    const found = await matches(root, text);
    if (search(root).value === text) draw(root, found.map((f) => ["leaf", f]));
  };

  // Enter picks the match when there is one obvious match, as Workday does.
  const enter = async (root) => {
    const text = search(root).value.trim();
    if (!text) return;
    const found = await matches(root, text);
    const exact = found.find((f) => f.toLowerCase() === text.toLowerCase());
    if (exact || found.length === 1) choose(root, exact || found[0]); else draw(root, found.map((f) => ["leaf", f]));
  };

  const promptOf = (el) => (el instanceof Element ? el.closest(".wd-prompt") : null);

  // My Experience: Add draws a new numbered panel from the section's template; Delete removes one.
  const addPanel = (button) => {
    const section = button.closest("[data-section]");
    const name = section.dataset.section;
    const numbers = [...section.querySelectorAll(".wd-panels > .wd-panel")].map((p) => Number(p.dataset.automationId.split("-").pop()));
    const n = String(Math.max(0, ...numbers) + 1);
    const html = section.querySelector(`template[data-section-template="${name}"]`).innerHTML.replaceAll("__N__", n);
    const holder = document.createElement("div");
    holder.innerHTML = html;
    section.querySelector(".wd-panels").appendChild(holder.firstElementChild);
    button.textContent = "Add Another";
  };

  const deletePanel = (button) => {
    const section = button.closest("[data-section]");
    button.closest(".wd-panel").remove();
    if (!section.querySelector(".wd-panels > .wd-panel")) section.querySelector("[data-add-section]").textContent = "Add";
  };

  document.addEventListener("click", (e) => {
    const root = promptOf(e.target);
    if (e.target.closest('[data-automation-id="DELETE_charm"]')) {
      e.target.closest('[data-automation-id="selectedItem"]').remove();
      return;
    }
    if (root && e.target.matches(".wd-prompt-search")) { if (!open || open.root !== root) showSearch(root); return; }
    if (!root) close();
    const add = e.target.closest("[data-add-section]");
    if (add) addPanel(add);
    const remove = e.target.closest('[data-automation-id="panel-set-delete-button"]');
    if (remove) deletePanel(remove);
  });
  // "I currently work here" takes the job's end date away (and what was typed in it).
  document.addEventListener("change", (e) => {
    if (!e.target.matches?.('input[type=checkbox][id$="--currentlyWorkHere"]')) return;
    const end = e.target.closest(".wd-panel").querySelector('[data-automation-id="formField-endDate"]');
    end.hidden = e.target.checked;
    if (e.target.checked) end.querySelectorAll("input").forEach((i) => setPart(i, ""));
  });
  document.addEventListener("input", (e) => {
    if (e.target.matches(".wd-prompt-search")) showSearch(promptOf(e.target));
    if (e.target.matches('.wd-date[role="spinbutton"]')) typed(e.target);
  });
  document.addEventListener("keydown", (e) => {
    if (e.target.matches(".wd-prompt-search")) {
      if (e.key === "Enter") { e.preventDefault(); enter(promptOf(e.target)); }
      if (e.key === "Escape") close();
    }
    if (e.target.matches('.wd-date[role="spinbutton"]') && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
      e.preventDefault();
      step(e.target, e.key === "ArrowUp" ? 1 : -1);
    }
  });
  document.addEventListener("focusout", (e) => {
    const root = promptOf(e.target);
    if (root && open && open.root === root && !root.contains(e.relatedTarget)) setTimeout(() => { if (!root.contains(document.activeElement)) close(); }, 150);
  });

  // Segmented dates: digits only; a full part moves on to the next; arrows step within the range.
  const setPart = (input, text) => {
    input.value = text;
    input.setAttribute("aria-valuenow", text);
    input.setAttribute("aria-valuetext", text || input.placeholder);
  };
  const typed = (input) => {
    let text = input.value.replace(/\D/g, "").slice(0, input.maxLength);
    const min = Number(input.getAttribute("aria-valuemin"));
    if (input.maxLength === 2 && text.length === 1 && Number(text) > Math.floor(Number(input.getAttribute("aria-valuemax")) / 10)) text = `0${text}`;
    setPart(input, text);
    if (text.length === input.maxLength && Number(text) >= min) {
      const next = input.nextElementSibling;
      if (next && next.matches(".wd-date")) next.focus();
    }
  };
  const step = (input, by) => {
    const min = Number(input.getAttribute("aria-valuemin"));
    const max = Number(input.getAttribute("aria-valuemax"));
    const now = input.value ? Number(input.value) : (by > 0 ? min - 1 : max + 1);
    const value = Math.min(max, Math.max(min, now + by));
    setPart(input, String(value).padStart(input.maxLength === 4 ? 4 : 2, "0"));
  };
})();
