// The "Add another" / "+ Add" button of a repeated section, stamped for a person's click: the one
// nearest the section's last row (its stamp given), else one whose own words or heading name the section.
([stamp, words]) => {
  const ADD = /^\s*(\+\s*)?add\b/i;
  const shown = (el) => el.getClientRects().length > 0 && !el.disabled;
  const says = (el) => `${el.textContent || ""} ${el.getAttribute("aria-label") || ""}`.replace(/\s+/g, " ").trim();
  const buttons = (root) => [...root.querySelectorAll("button, [role=button]")].filter((b) => shown(b) && ADD.test(says(b)));
  const pick = (button) => { button.setAttribute("data-autoapply-add", "1"); return says(button); };
  document.querySelectorAll("[data-autoapply-add]").forEach((b) => b.removeAttribute("data-autoapply-add"));
  const field = stamp ? document.querySelector(`[data-autoapply="${stamp}"]`) : null;
  for (let node = field && field.parentElement, depth = 0; node && depth < 12; node = node.parentElement, depth++) {
    if (node.matches("form, body")) break;
    const found = buttons(node);
    if (found.length) return pick(found[found.length - 1]);
  }
  const section = new RegExp(words, "i");
  for (const button of buttons(document)) {
    let heading = "";
    for (let node = button.parentElement, depth = 0; node && depth < 3 && !heading; node = node.parentElement, depth++) {
      const h = node.querySelector("h2, h3, h4, legend, [role=heading]");
      heading = h ? h.textContent : "";
    }
    if (section.test(says(button)) || section.test(heading)) return pick(button);
  }
  return null;
}
