"""Text-like fields: type as a person would, leave a correct value alone, check it stuck.

A field that offers suggestions while one types (a location or school typeahead that is a plain
input) gets its value from the suggestion that means it, as a person would pick it.
"""

from __future__ import annotations

import re

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

from forms.act.common import Filled, locate, same, type_like_a_person
from forms.choose import choose
from forms.records import FieldRecord, Option, Resolution
from forms.text import digits_only

# Fields whose page may offer suggestions to pick from while typing.
TYPEAHEAD_KEYS = frozenset({"location", "city", "school"})
# Suggestions show within a few hundred milliseconds where a field has them at all.
SUGGESTION_WAIT_MS = 800
# The field's own suggestions: in the list it controls, else in its nearest container that has some
# (never another widget's open list); waited for in the page, one round trip.
SUGGESTIONS_JS = """async (field, waitMs) => {
  const shown = (el) => el.getClientRects().length > 0;
  const items = "[role=option], .dropdown-location, .pac-item";
  const look = () => {
    const id = field.getAttribute("aria-controls") || field.getAttribute("aria-owns");
    const box = id ? document.getElementById(id) : null;
    if (box) return [...box.querySelectorAll(items)].filter(shown);
    for (let node = field.parentElement, depth = 0; node && depth < 4; node = node.parentElement, depth++) {
      const controls = node.querySelectorAll("input:not([type=hidden]), select, textarea");
      if ([...controls].some((c) => c !== field)) break;  // past the field's own wrapper
      const found = [...node.querySelectorAll(items)].filter(shown);
      if (found.length) return found;
    }
    return [];
  };
  const end = Date.now() + waitMs;
  while (Date.now() < end) {
    const found = look();
    if (found.length) { window.__autoapplySuggestions = found; return found.map((o) => o.textContent.trim()); }
    await new Promise((r) => setTimeout(r, 40));
  }
  return [];
}"""
# The suggestion element with that text, for a real click on it.
FIND_JS = """(field, label) =>
  (window.__autoapplySuggestions || []).find((o) => o.textContent.trim() === label) || null"""


def stuck(record: FieldRecord, want: str, shown: str) -> bool:
    if record.widget == "tel" or record.type == "tel" or "phone" in (record.name or record.id or "").lower():
        return digits_only(shown).endswith(digits_only(want)[-7:]) and len(digits_only(shown)) >= 7
    return same(shown, want) or shown.strip() == want.strip()


# Focus, put the value in through the element's own value setter (what React and other frameworks
# watch), announce it as typed input and as a change, leave the field, and read back what it kept:
# one round trip where Playwright's fill, a blur and a read-back take three, each waiting on the page.
ENTER_JS = """(e, value) => {
  if (!(e instanceof HTMLInputElement || e instanceof HTMLTextAreaElement)) return null;
  const proto = e instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(proto, "value").set;
  e.focus();
  setter.call(e, value);
  e.dispatchEvent(new InputEvent("input", { bubbles: true, composed: true, inputType: "insertText", data: value }));
  e.dispatchEvent(new Event("change", { bubbles: true }));
  e.blur();
  return e.value;
}"""


async def fill_text(page: Page, record: FieldRecord, res: Resolution) -> Filled:
    want = str(res.value)
    field = locate(page, record)
    if stuck(record, want, record.value):  # as the reader saw it a moment ago
        return Filled(record, res, "kept", record.value)
    if res.key in TYPEAHEAD_KEYS:
        picked = await _from_suggestions(page, record, res, field)
        if picked is not None:
            return picked
    entered = await field.evaluate(ENTER_JS, want)
    shown = "" if entered is None else str(entered)
    if entered is not None and stuck(record, want, shown):
        return Filled(record, res, "filled", shown)
    shown = await _type(field, want)  # a page that ignores entered values gets real typing, once
    if stuck(record, want, shown):
        return Filled(record, res, "filled", shown)
    return Filled(record, res, "failed", shown, "the page did not keep the value")


async def _type(field: Locator, value: str) -> str:
    """Focus, type (the page's input listeners see it), leave the field (its change listeners fire),
    and read back what it kept."""
    await field.fill(value)
    return str(await field.evaluate("e => { e.blur(); return e.value; }"))


async def _from_suggestions(page: Page, record: FieldRecord, res: Resolution, field: Locator) -> Filled | None:
    """Type the first part ("Seattle"), then pick the suggestion that means the whole value."""
    want = str(res.value)
    query = re.split(r"[,(]", want)[0].strip() or want
    await type_like_a_person(field, query)
    try:
        texts = await field.evaluate(SUGGESTIONS_JS, int(SUGGESTION_WAIT_MS))
    except PlaywrightError:
        return None
    if not texts:
        return None  # no suggestions: a plain field
    option = choose(want, [Option(label=str(t), value=str(t)) for t in texts if t])
    if option is None:
        await field.press("Escape")
        return Filled(record, res, "unresolved", "", f"no suggestion means {want!r}")
    element = (await field.evaluate_handle(FIND_JS, option.label)).as_element()
    if element is None:
        return Filled(record, res, "failed", "", "the suggestion went away")
    await element.click(force=True)
    shown = await field.input_value()
    return Filled(record, res, "filled" if same(shown, option.label) else "failed", shown)
