// One pass over a frame: every form control as a plain record (see forms/records.py).
// Runs through page.evaluate, so it also works on saved pages opened with scripts off.
// Walks open shadow roots; stamps each control with data-autoapply so the filler can find it again.
(() => {
  const STAMP = "data-autoapply";
  const GENERIC = /^(attach|upload|browse|choose( a)? file|select\.{0,3}|month|day|year|mm|dd|yyyy|yes|no|enter manually|please select|select an option|required)$/i;
  const CAPTCHA = /captcha|recaptcha|turnstile|arkose|funcaptcha/i;
  const COOKIE = /cookie|consent-?(banner|manager|modal|dialog)|onetrust|cookiebot|usercentrics|didomi|truste|\bcmp\b|cc-window|gdpr-banner/i;
  const records = [];
  const seenGroups = new Map();
  // Stamps go on counting across reads: an element drawn after the first read never gets a stamp
  // another element already has.
  const NEXT = "data-autoapply-next";
  let counter = Number(document.documentElement.getAttribute(NEXT) || 0);

  const clean = (s) => (s || "").replace(/[\s\u00a0]+/g, " ").replace(/^\s*required\.?\s*/i, "")
    .replace(/(\s*(\*|\(required\)|required))+\s*$/i, "").trim();
  const strip = (el, drop) => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll(drop).forEach((n) => n.remove());
    return clean(copy.textContent);
  };
  // The accessible text (what a screen reader says), else all the text.
  const textOf = (el) => {
    if (!el) return "";
    const base = "input,select,textarea,script,style,svg,template";
    return strip(el, base + ",[aria-hidden=true]") || strip(el, base);
  };
  const rootOf = (el) => el.getRootNode();
  const byId = (el, id) => {
    const root = rootOf(el);
    return (root.getElementById ? root.getElementById(id) : null) || document.getElementById(id);
  };
  const idsText = (el, attr) => clean((el.getAttribute(attr) || "").split(/\s+/).filter(Boolean).map((id) => textOf(byId(el, id))).join(" "));
  const parentOf = (el) => el.parentElement || (rootOf(el).host || null);
  // The custom elements a control sits inside (its shadow roots' hosts), nearest first: a widget's
  // label, required mark and form are often on the element the page author wrote, not inside it.
  const hostsOf = (el) => {
    const hosts = [];
    for (let root = rootOf(el); root && root.host; root = rootOf(root.host)) hosts.push(root.host);
    return hosts;
  };
  const closestAcross = (el, selector) => {
    for (const node of [el, ...hostsOf(el)]) { const found = node.closest(selector); if (found) return found; }
    return null;
  };

  function concealed(el) {
    // Hidden by its own style or a close ancestor's: how traps (honeypots) hide; a closed overlay is not this.
    let node = el;
    for (let depth = 0; node && depth < 3; depth++, node = parentOf(node)) {
      const cs = getComputedStyle(node);
      if (parseFloat(cs.opacity) < 0.05) return true;
      if (cs.position === "absolute" || cs.position === "fixed") {
        const left = parseFloat(cs.left), top = parseFloat(cs.top);
        if (left < -500 || top < -500) return true;
        if (cs.overflow === "hidden" && (parseFloat(cs.height) <= 1 || parseFloat(cs.width) <= 1)) return true;
      }
      if (/rect\(0(px)?,? ?0(px)?/.test(cs.clip) || /inset\(50%\)/.test(cs.clipPath)) return true;
      if (node.getAttribute && node.getAttribute("aria-hidden") === "true") return true;
    }
    return false;
  }
  function visible(el) {
    if (el.checkVisibility && !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) return false;
    const r = el.getBoundingClientRect();
    // Off the page to the left or above it is where traps are parked: no person can see them there.
    return r.width > 1 && r.height > 1 && r.right + window.scrollX > 0 && r.bottom + window.scrollY > 0;
  }
  function ancestorMatches(el, pattern, depth) {
    for (let node = el, i = 0; node && i < depth; node = parentOf(node), i++) {
      if (!node.getAttribute) continue;
      if (node.matches("form,body,html,main")) return false;
      const attrs = [node.id, node.getAttribute("class"), node.getAttribute("data-controller"), node.getAttribute("aria-label"), node.getAttribute("data-preference-type")].join(" ");
      if (pattern.test(attrs)) return true;
    }
    return false;
  }
  function labelFor(el) {
    if (!el.id) return "";
    const root = rootOf(el);
    const all = (root.querySelectorAll ? root : document).querySelectorAll("label[for]");
    for (const l of all) if (l.getAttribute("for") === el.id) return textOf(l);
    return "";
  }
  function wrappingLabel(el) {
    const l = el.closest("label");
    return l ? textOf(l) : "";
  }
  function groupOf(el) {
    return closestAcross(el, "fieldset,[role=group],[role=radiogroup]");
  }
  function groupLabel(group) {
    if (!group) return "";
    const legend = group.querySelector(":scope > legend") || (group.tagName === "FIELDSET" ? group.querySelector("legend") : null);
    return (legend && textOf(legend)) || idsText(group, "aria-labelledby") || clean(group.getAttribute("aria-label"));
  }
  function nearbyText(el) {
    // The question text a person reads above the control: the closest preceding text in its container.
    let node = el;
    for (let depth = 0; node && depth < 5; depth++) {
      let sib = node.previousElementSibling;
      while (sib) {
        if (!sib.matches("input,select,textarea,button,script,style") && !sib.querySelector("input:not([type=hidden]),select,textarea")) {
          const t = textOf(sib);
          if (t && t.length <= 300) return t;
        }
        sib = sib.previousElementSibling;
      }
      node = parentOf(node);
      if (node && node.matches && node.matches("form,body")) break;
    }
    return "";
  }
  function sectionOf(el) {
    // The heading of the section the control is in (e.g. "Voluntary Self-Identification").
    for (let node = parentOf(el), depth = 0; node && depth < 12; node = parentOf(node), depth++) {
      if (!node.querySelector) continue;
      const h = node.querySelector(":scope > h1, :scope > h2, :scope > h3, :scope > h4, :scope > legend, :scope > * > h2, :scope > * > h3");
      if (h && !h.contains(el)) return textOf(h).slice(0, 120);
    }
    return "";
  }
  function hostLabel(el) {
    // What labels the custom element the control lives in (label[for], aria-labelledby, aria-label).
    for (const host of hostsOf(el)) {
      const text = labelFor(host) || wrappingLabel(host) || idsText(host, "aria-labelledby") || clean(host.getAttribute("aria-label"));
      if (text) return text;
    }
    return "";
  }
  function labelling(el, group) {
    // The order; a group's legend beats generic labels such as Month/Day/Year or Attach.
    const tries = [
      ["label", labelFor(el)],
      ["wrapping_label", wrappingLabel(el)],
      ["aria_labelledby", idsText(el, "aria-labelledby")],
      ["aria_label", clean(el.getAttribute("aria-label"))],
      ["host", hostLabel(el)],
      ["legend", groupLabel(group)],
      ["placeholder", clean(el.getAttribute("placeholder"))],
      ["nearby", nearbyText(el)],
    ];
    const found = tries.filter(([, t]) => t);
    const specific = found.find(([, t]) => !GENERIC.test(t));
    const [source, text] = specific || found[0] || ["none", ""];
    return { label: text.slice(0, 300), label_source: source, aria_label: clean(el.getAttribute("aria-label")) };
  }
  function required(el) {
    if (el.required || el.getAttribute("aria-required") === "true") return true;
    const group = groupOf(el);
    if (group && group.getAttribute("aria-required") === "true") return true;
    const l = el.id ? labelFor(el) : "";
    const raw = (el.id && (rootOf(el).querySelector ? rootOf(el) : document).querySelector(`label[for="${CSS.escape(el.id)}"]`)) || group && group.querySelector("legend");
    if (raw && /\*|required/i.test(raw.textContent || "") && (l || raw)) return true;
    return hostsOf(el).some(hostRequired);
  }
  function hostRequired(host) {
    if (host.hasAttribute("required") || host.getAttribute("aria-required") === "true") return true;
    const ids = (host.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
    const texts = ids.map((id) => (byId(host, id) || {}).textContent || "");
    if (host.id) texts.push(labelFor(host));
    return texts.some((t) => /\*|\brequired\b/i.test(t));
  }
  const quote = (s) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  // The id where there is one (#id, or [id="..."] when it is no CSS identifier), with the name beside it.
  function selectorOf(el) {
    const name = el.getAttribute("name");
    const byName = name ? `[name="${quote(name)}"]` : "";
    if (el.id) return (/^[A-Za-z_][\w-]*$/.test(el.id) ? `#${el.id}` : `[id="${quote(el.id)}"]`) + byName;
    return byName || `[${STAMP}="${el.getAttribute(STAMP)}"]`;
  }
  // Every stamped element is also kept by its stamp, so an adapter finds it again in one lookup
  // (forms.act.common.on), shadow roots included, without querying the document.
  const stamped = (window.__autoapplyStamped ||= new Map());
  function stamp(el) {
    if (!el.hasAttribute(STAMP)) el.setAttribute(STAMP, String(++counter));
    const found = el.getAttribute(STAMP);
    stamped.set(found, new WeakRef(el));
    return found;
  }
  function optionLabel(input) {
    return labelFor(input) || wrappingLabel(input) || clean(input.getAttribute("aria-label")) || clean(input.value);
  }
  function listboxOptions(el) {
    const id = el.getAttribute("aria-controls") || el.getAttribute("aria-owns");
    const box = id ? byId(el, id) : null;
    if (!box) return [];
    return [...box.querySelectorAll("[role=option]")].map((o) => ({ label: textOf(o) || clean(o.getAttribute("aria-label")), value: o.getAttribute("data-value") || textOf(o) }));
  }
  function comboValue(el) {
    const control = el.closest("[class*=control],[class*=select]");
    const single = control && control.querySelector("[class*=single-value],[class*=singleValue]");
    const multi = control ? [...control.querySelectorAll("[class*=multi-value__label],[class*=multiValue] > div:first-child")].map(textOf) : [];
    if (multi.length) return multi.join("; ");
    return (single && textOf(single)) || el.value || "";
  }
  function widgetOf(el) {
    const tag = el.tagName.toLowerCase();
    const type = (el.getAttribute("type") || "text").toLowerCase();
    if (tag === "select") return el.multiple ? "multiselect" : "select";
    if (tag === "textarea") return "textarea";
    if (tag === "button") return el.getAttribute("aria-haspopup") === "listbox" ? "listbox_button" : "button";
    const role = el.getAttribute("role");
    if (role === "combobox" || el.getAttribute("aria-autocomplete") === "list" || el.getAttribute("aria-haspopup") === "listbox") return "combobox";
    if (role === "spinbutton" && /month|day|year/i.test(el.getAttribute("aria-label") || el.id || "")) return "date_part";
    if (["email", "tel", "number", "url", "date", "file", "radio", "checkbox", "password", "search"].includes(type)) return type;
    if (type === "month") return "date";  // a native month picker: its type says it wants YYYY-MM
    return "text";
  }
  function base(el, widget, group) {
    const lab = labelling(el, group);
    return {
      handle: stamp(el), selector: selectorOf(el), id: el.id || null, name: el.getAttribute("name"),
      tag: el.tagName.toLowerCase(), type: (el.getAttribute("type") || "").toLowerCase(), widget,
      ...lab, group_label: groupLabel(group), section: sectionOf(el), nearby: nearbyText(el).slice(0, 300),
      autocomplete: el.getAttribute("autocomplete") || "", placeholder: el.getAttribute("placeholder") || "",
      inputmode: (el.getAttribute("inputmode") || "").toLowerCase(),
      hint: el.getAttribute("data-automation-id") || el.getAttribute("data-qa") || el.getAttribute("data-testid") || "",
      required: required(el), visible: visible(el), concealed: concealed(el), disabled: !!el.disabled,
      value: "", options: [], checked: [], multiple: !!el.multiple, accept: el.getAttribute("accept") || "",
      in_shadow: rootOf(el) !== document, noise: "", tabindex: el.tabIndex,
      form: formOf(el) ? stamp(formOf(el)) : "",
    };
  }
  const formOf = (el) => el.form || closestAcross(el, "form");
  function noiseOf(el) {
    const ident = [el.id, el.getAttribute("name"), el.getAttribute("class")].join(" ");
    if (CAPTCHA.test(ident) || ancestorMatches(el, CAPTCHA, 6)) return "captcha";
    if (ancestorMatches(el, COOKIE, 12)) return "cookie_banner";
    return "";
  }
  function readRadioGroup(el) {
    const name = el.getAttribute("name");
    const scope = rootOf(el).querySelectorAll ? rootOf(el) : document;
    // Radios with no name (SPAs that keep the state in script) are grouped by their fieldset or group.
    const box = name ? null : groupOf(el) || radioBox(el);
    const key = "radio:" + (name || (box ? stamp(box) : el.id));
    if (seenGroups.has(key)) return null;
    let members = name
      ? [...scope.querySelectorAll(`input[type=radio]`)].filter((r) => r.getAttribute("name") === name)
      : box ? [...box.querySelectorAll("input[type=radio]:not([name])")] : [el];
    if (!members.includes(el)) members = [el];  // a group outside the shadow root it cannot look into
    const group = groupOf(el) || commonParent(members);
    const rec = base(members[0], "radio", group);
    rec.label = groupLabel(group) || hostLabel(el) || nearbyText(group || el) || rec.label;
    rec.label_source = "group";
    rec.selector = name ? `[name="${quote(name)}"]` : box && box.id ? `#${box.id}` : rec.selector;
    rec.options = members.map((r) => ({ label: optionLabel(r), value: r.value, handle: stamp(r), selector: selectorOf(r) }));
    rec.checked = members.filter((r) => r.checked).map((r) => optionLabel(r));
    rec.value = rec.checked.join("; ");
    rec.required = members.some((r) => r.required) || rec.required;
    rec.visible = members.some((r) => visible(r) || visible(r.closest("label") || r));
    rec.concealed = members.every((r) => concealed(r) && !(r.closest("label") && visible(r.closest("label"))) && !visible(byLabel(r)));
    seenGroups.set(key, rec);
    return rec;
  }
  function radioBox(el) {
    for (let node = parentOf(el), depth = 0; node && depth < 4; node = parentOf(node), depth++) {
      if (node.querySelectorAll && node.querySelectorAll("input[type=radio]:not([name])").length > 1) return node;
    }
    return null;
  }
  function byLabel(input) {
    if (!input.id) return input;
    const root = rootOf(input).querySelectorAll ? rootOf(input) : document;
    return [...root.querySelectorAll("label[for]")].find((l) => l.getAttribute("for") === input.id) || input;
  }
  function commonParent(members) {
    let node = parentOf(members[0]);
    while (node && !members.every((m) => node.contains(m))) node = parentOf(node);
    return node;
  }
  function readCheckbox(el) {
    const name = el.getAttribute("name");
    const group = groupOf(el);
    const scope = group || (name ? null : null);
    let members = scope
      ? [...scope.querySelectorAll("input[type=checkbox]")]
      : name && name.endsWith("[]") ? [...(rootOf(el).querySelectorAll ? rootOf(el) : document).querySelectorAll("input[type=checkbox]")].filter((c) => c.getAttribute("name") === name) : [el];
    if (!members.includes(el)) members = [el];
    if (members.length > 1) {
      const key = "check:" + (group ? stamp(group) : name);
      if (seenGroups.has(key)) return null;
      const rec = base(members[0], "checkboxes", group || commonParent(members));
      rec.label = groupLabel(group) || nearbyText(group || commonParent(members)) || rec.label;
      rec.label_source = "group";
      if (group && group.id) rec.selector = /^[A-Za-z_][\w-]*$/.test(group.id) ? `#${group.id}` : `[id="${group.id}"]`;
      else if (name) rec.selector = `[name="${name}"]`;
      rec.options = members.map((c) => ({ label: optionLabel(c), value: c.value, handle: stamp(c), selector: selectorOf(c) }));
      rec.checked = members.filter((c) => c.checked).map((c) => optionLabel(c));
      rec.value = rec.checked.join("; ");
      rec.visible = members.some((c) => visible(c) || visible(byLabel(c)));
      rec.concealed = members.every((c) => concealed(c) && !visible(byLabel(c)));
      seenGroups.set(key, rec);
      return rec;
    }
    const rec = base(el, "checkbox", group);
    const own = labelFor(el) || wrappingLabel(el);
    if (own) { rec.label = own; rec.label_source = "label"; }
    rec.value = el.checked ? "checked" : "";
    rec.checked = el.checked ? [rec.label] : [];
    rec.visible = visible(el) || visible(byLabel(el));
    rec.concealed = concealed(el) && !visible(byLabel(el));
    return rec;
  }
  function readButtonPair(container) {
    // Yes/No toggle buttons (aria-pressed): one question whose options are the buttons.
    const buttons = [...container.querySelectorAll("button[aria-pressed]")];
    const rec = base(buttons[0], "buttons", container);
    rec.label = groupLabel(container) || nearbyText(container) || rec.label;
    rec.label_source = "group";
    if (container.id) rec.selector = /^[A-Za-z_][\w-]*$/.test(container.id) ? `#${container.id}` : `[id="${container.id}"]`;
    rec.options = buttons.map((b) => ({ label: textOf(b), value: textOf(b), handle: stamp(b), selector: selectorOf(b) }));
    rec.checked = buttons.filter((b) => b.getAttribute("aria-pressed") === "true").map(textOf);
    rec.value = rec.checked.join("; ");
    rec.required = container.getAttribute("aria-required") === "true" || /\*/.test(rec.label + (container.querySelector("label,legend") || {}).textContent);
    rec.visible = buttons.some(visible);
    return rec;
  }
  // A custom single choice drawn without native inputs: a radiogroup of role=radio items, or a
  // listbox shown in the page (not a combobox's popup) of role=option items.
  const ARIA_ITEMS = "[role=radio],[role=option]";
  function ariaChosen(item) {
    return item.getAttribute("aria-checked") === "true" || item.getAttribute("aria-selected") === "true";
  }
  function readAriaChoice(box) {
    const items = [...box.querySelectorAll(ARIA_ITEMS)];
    const rec = base(box, "listbox", groupOf(box.parentElement || box));
    rec.options = items.map((o) => ({ label: textOf(o) || clean(o.getAttribute("aria-label")), value: o.getAttribute("data-value") || textOf(o), handle: stamp(o), selector: selectorOf(o) }));
    rec.checked = items.filter(ariaChosen).map((o) => textOf(o) || clean(o.getAttribute("aria-label")));
    rec.value = rec.checked.join("; ");
    rec.required = rec.required || box.getAttribute("aria-required") === "true";
    rec.visible = items.some(visible);
    return rec;
  }
  function ariaChoice(el) {
    if (!el.matches("[role=radiogroup],[role=listbox]") || el.querySelector("input[type=radio],input[type=checkbox]")) return false;
    if (!el.querySelector(ARIA_ITEMS) || el.closest("[role=combobox]") || el.getAttribute("aria-multiselectable") === "true") return false;
    const root = rootOf(el).querySelector ? rootOf(el) : document;
    return !(el.id && root.querySelector(`[aria-controls~="${CSS.escape(el.id)}"],[aria-owns~="${CSS.escape(el.id)}"]`));
  }
  function readOne(el) {
    const widget = widgetOf(el);
    if (widget === "radio") return readRadioGroup(el);
    if (widget === "checkbox") return readCheckbox(el);
    const rec = base(el, widget, groupOf(el));
    if (widget === "select" || widget === "multiselect") {
      rec.options = [...el.options].map((o) => ({ label: clean(o.textContent), value: o.value }));
      rec.checked = [...el.selectedOptions].filter((o) => o.value !== "").map((o) => clean(o.textContent));
      rec.value = rec.checked.join("; ");
    } else if (widget === "combobox") {
      rec.options = listboxOptions(el);
      rec.value = comboValue(el);
    } else if (widget === "listbox_button") {
      rec.value = /^select one$/i.test(textOf(el)) ? "" : textOf(el);
    } else if (widget === "file") {
      rec.value = el.files && el.files.length ? el.files[0].name : "";
    } else {
      rec.value = el.value || "";
    }
    if (widget === "combobox" && !("value" in el)) rec.value = textOf(el);  // a drawn combobox shows its choice as text
    return rec;
  }
  function walk(root) {
    const controls = [];
    const pairs = new Set();
    const visit = (node) => {
      for (const el of node.querySelectorAll("*")) {
        if (el.shadowRoot) visit(el.shadowRoot);
        if (el.matches("input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]),select,textarea,button[aria-haspopup=listbox]")) controls.push(el);
        else if (el.matches("[role=combobox]:not(button)") && !el.querySelector("input,select,textarea")) controls.push(el);
        else if (ariaChoice(el)) { pairs.add(el); controls.push(el); }
        else if (el.matches("button[aria-pressed]")) {
          const c = el.closest("fieldset,[role=group],[role=radiogroup]") || el.parentElement;
          if (c && !pairs.has(c) && c.querySelectorAll("button[aria-pressed]").length >= 2) { pairs.add(c); controls.push(c); }
        }
      }
    };
    visit(root);
    return { controls, pairs };
  }
  const { controls, pairs } = walk(document);
  for (const el of controls) {
    const rec = !pairs.has(el) ? readOne(el) : el.matches("[role=radiogroup],[role=listbox]") ? readAriaChoice(el) : readButtonPair(el);
    if (!rec) continue;
    rec.noise = noiseOf(pairs.has(el) ? el : el);
    const textual = !["file", "radio", "checkboxes", "checkbox", "buttons", "combobox", "listbox_button", "listbox"].includes(rec.widget);
    if (!rec.noise && textual && !rec.id && !rec.name && el.getAttribute("aria-hidden") === "true") rec.noise = "widget_internal";
    // Traps: concealed by their own style, or kept out of the tab order (a person never reaches them).
    if (!rec.noise && textual && ((rec.concealed && !rec.visible) || el.tabIndex === -1)) rec.noise = "honeypot";
    records.push(rec);
  }
  document.documentElement.setAttribute(NEXT, String(counter));
  return { url: location.href, title: document.title, records };
})()
