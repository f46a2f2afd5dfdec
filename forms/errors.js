// The page's validation errors after Next or Submit, each mapped to the field it is about when it can be.
(selectors) => {
  const shown = (el) => {
    if (el.checkVisibility && !el.checkVisibility({ visibilityProperty: true })) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const control = "input:not([type=hidden]),select,textarea,button[aria-haspopup]";
  const out = [];
  const seen = new Set();
  // An error's id often names its field: "phone-error", "tel-error-22", "email_error", "error-email".
  const named = (id) => {
    const m = id.match(/^(.+?)[-_]error\b/i) || id.match(/^error[-_](.+)$/i);
    if (!m) return null;
    const f = document.getElementById(m[1]) || document.querySelector(`[name="${CSS.escape(m[1])}"]`);
    return f && f.matches(control) ? f : null;
  };
  // A popup's search box or a picker's button beside the field is not what the message is about.
  const primary = (c) => !c.matches("[type=search], button");
  const fieldOf = (el) => {
    const id = el.id || "";
    const byName = id && named(id);
    if (byName) return byName;
    if (id) {
      const ref = document.querySelector(`[aria-describedby~="${CSS.escape(id)}"],[aria-errormessage="${CSS.escape(id)}"]`);
      if (ref) return ref;
    }
    for (let node = el.parentElement, depth = 0; node && depth < 4; node = node.parentElement, depth++) {
      const all = [...node.querySelectorAll(control)];
      const controls = all.some(primary) ? all.filter(primary) : all;
      if (controls.length >= 1 && controls.length <= 8 && new Set([...controls].map((c) => c.name || c.id)).size === 1) return controls[0];
    }
    return null;
  };
  for (const sel of selectors) {
    let found;
    try { found = document.querySelectorAll(sel); } catch (e) { continue; }
    for (const el of found) {
      if (!shown(el) || el.matches(control)) continue;
      const text = (el.innerText || "").replace(/\s+/g, " ").trim();
      if (!text || text.length > 400 || seen.has(text)) continue;
      seen.add(text);
      const field = fieldOf(el);
      out.push({ message: text, field: field ? (field.getAttribute("data-autoapply") || "") : "", id: field ? field.id || field.name || "" : "" });
    }
  }
  for (const el of document.querySelectorAll("[aria-invalid=true]")) {
    if (!shown(el) && el.type !== "file") continue;
    const stamp = el.getAttribute("data-autoapply") || "";
    if (!out.some((e) => e.field && e.field === stamp)) out.push({ message: "marked invalid", field: stamp, id: el.id || el.name || "" });
  }
  return out;
}
