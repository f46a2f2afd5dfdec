"""Text-like fields: type as a person would, leave a correct value alone, check it stuck.

A field that offers suggestions while one types (a location or school typeahead that is a plain
input) gets its value from the suggestion that means it, as a person would pick it.
"""

from __future__ import annotations

import re

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page

from forms.act.common import Filled, locate, on, same, type_like_a_person
from forms.choose import choose
from forms.network import watching
from forms.places import place_choice
from forms.records import FieldRecord, Option, Resolution
from forms.text import digits_only

# Fields whose page may offer suggestions to pick from while typing.
TYPEAHEAD_KEYS = frozenset({"location", "city", "school", "work_location"})
PLACE_KEYS = frozenset({"location", "city", "work_location"})
# Suggestions show within a few hundred milliseconds where a field has them at all; a field with no
# sign of a list (no listbox beside it, no ARIA popup) is taken as plain sooner, unless typing sent
# the server a request, whose answer is then waited for (suggestions that load from the network).
SUGGESTION_WAIT_MS = 800
PLAIN_AFTER_MS = 250
SERVER_AT_MOST_S = 2.5
# The field's own suggestions: in the list it controls, else in its nearest container that has some
# (never another widget's open list); waited for in the page, one round trip. `list` says whether the
# field has a list of its own at all, shown or not (a typeahead, even when it suggests nothing).
SUGGESTIONS_JS = """async (field, [waitMs, plainMs]) => {
  const shown = (el) => el.getClientRects().length > 0;
  const items = "[role=option], .dropdown-location, .pac-item";
  const lists = "[role=listbox], .dropdown-results, .pac-container, ul[class*=suggest], ul[class*=autocomplete]";
  const own = () => {
    const id = field.getAttribute("aria-controls") || field.getAttribute("aria-owns");
    return id ? document.getElementById(id) : null;
  };
  const wrappers = () => {
    const found = [];
    for (let node = field.parentElement, depth = 0; node && depth < 4; node = node.parentElement, depth++) {
      const controls = node.querySelectorAll("input:not([type=hidden]), select, textarea");
      if ([...controls].some((c) => c !== field)) break;  // past the field's own wrapper
      found.push(node);
    }
    return found;
  };
  const look = () => {
    const box = own();
    if (box) return [...box.querySelectorAll(items)].filter(shown);
    for (const node of wrappers()) {
      const found = [...node.querySelectorAll(items)].filter(shown);
      if (found.length) return found;
    }
    return [];
  };
  const hasList = () => Boolean(own()) || field.hasAttribute("list") || field.getAttribute("role") === "combobox"
    || Boolean(field.getAttribute("aria-autocomplete")) || wrappers().some((n) => n.querySelector(lists));
  const begun = Date.now();
  while (Date.now() - begun < waitMs) {
    const found = look();
    if (found.length) {
      window.__autoapplySuggestions = found;
      return { texts: found.map((o) => o.textContent.trim()), list: true };
    }
    if (Date.now() - begun > plainMs && !hasList()) break;
    await new Promise((r) => setTimeout(r, 40));
  }
  return { texts: [], list: hasList() };
}"""
# The suggestion element with that text, for a real click on it.
FIND_JS = """(field, label) =>
  (window.__autoapplySuggestions || []).find((o) => o.textContent.trim() === label) || null"""


def stuck(record: FieldRecord, want: str, shown: str, exact: bool = False) -> bool:
    if exact:
        return shown.strip() == want.strip()
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
    if stuck(record, want, record.value, res.exact):  # as the reader saw it a moment ago
        return Filled(record, res, "kept", record.value)
    if res.key in TYPEAHEAD_KEYS:
        picked = await _from_suggestions(page, record, res, field)
        if picked is not None:
            return picked
    entered = await on(page, record, ENTER_JS, want)
    shown = "" if entered is None else str(entered)
    if entered is not None and stuck(record, want, shown, res.exact):
        return Filled(record, res, "filled", shown)
    shown = await _type(page, record, field, want)  # a page that ignores entered values gets real typing, once
    if stuck(record, want, shown, res.exact):
        return Filled(record, res, "filled", shown)
    return Filled(record, res, "failed", shown, "the page did not keep the value")


async def _type(page: Page, record: FieldRecord, field: Locator, value: str) -> str:
    """Focus, type (the page's input listeners see it), leave the field (its change listeners fire),
    and read back what it kept."""
    await field.fill(value)
    return str(await on(page, record, "e => { e.blur(); return e.value; }"))


async def _suggestions(page: Page, record: FieldRecord, field: Locator, query: str) -> tuple[list[str], bool]:
    """Type the query and read the suggestions; those the server sends are waited for."""
    waits = [SUGGESTION_WAIT_MS, PLAIN_AFTER_MS]
    with watching(page) as watch:
        await type_like_a_person(field, query)
        found = await on(page, record, SUGGESTIONS_JS, waits)
        if not found["texts"] and (watch.started or found["list"]):
            await watch.answered(SERVER_AT_MOST_S)  # a slow server, or a debounce longer than the wait
            found = await on(page, record, SUGGESTIONS_JS, waits)
    return [str(t) for t in found["texts"] if t], bool(found["list"])


def _suggestion_for(key: str, want: str, texts: list[str]) -> Option | None:
    options = [Option(label=t, value=t) for t in texts]
    return place_choice(want, options) if key in PLACE_KEYS else choose(want, options)


async def _from_suggestions(page: Page, record: FieldRecord, res: Resolution, field: Locator) -> Filled | None:
    """Type the first part ("Seattle"), then pick the suggestion that means the whole value. None for
    a plain field (no list, no suggestions); a typeahead with no suggestion that means it is left
    unanswered, never given typed text its page would not take as chosen."""
    want = str(res.value)
    query = re.split(r"[,(]", want)[0].strip() or want
    try:
        texts, has_list = await _suggestions(page, record, field, query)
    except PlaywrightError:
        return None
    if not texts and not has_list:
        return None
    option = _suggestion_for(res.key, want, texts)
    if option is None:
        await field.press("Escape")
        await on(page, record, CLEAR_JS)
        return Filled(record, res, "unresolved", "", f"no suggestion means {want!r}")
    element = (await field.evaluate_handle(FIND_JS, option.label)).as_element()
    if element is None:
        return Filled(record, res, "failed", "", "the suggestion went away")
    await element.click(force=True)
    shown = str(await on(page, record, "e => e.value"))
    return Filled(record, res, "filled" if same(shown, option.label) else "failed", shown)


# What was typed to ask for suggestions is taken out again: a typeahead's text that was never chosen
# is not an answer (the page would refuse it, or take it as if chosen).
CLEAR_JS = """e => {
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
  setter.call(e, "");
  e.dispatchEvent(new Event("input", { bubbles: true }));
  e.dispatchEvent(new Event("change", { bubbles: true }));
}"""
