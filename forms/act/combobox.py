"""Dropdowns whose options exist only while open: react-select and ARIA comboboxes, typeaheads that
ask the server, and button dropdowns (Workday prompts). Open, read the options, pick the one that
means the answer (or type to narrow them), then check what the widget shows."""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Frame, Locator, Page

from forms.act.common import WIDGET_WAIT_MS, Filled, click, frame_of, locate, on, same, type_like_a_person
from forms.choose import choose, decline_option, real_options
from forms.records import FieldRecord, Option, Resolution
from forms.text import fold

# Where the open list's options are: the listbox the field controls, else any visible option popup.
OPEN_OPTIONS = "[role=listbox]:visible [role=option], [data-automation-widget=wd-popup] [role=option]:visible"
WAIT_S = WIDGET_WAIT_MS / 1000
POLL_S = 0.03
# A list that opens empty (a typeahead saying "Start typing...") is given this long before typing.
OPEN_WAIT_S = 0.5
# A stamped option that is gone (the list was drawn again) is given up on after this long; a loaded
# machine may take most of it to deliver a click that did land, so it is not cut short.
STAMPED_MS = WIDGET_WAIT_MS
# Each look at a list stamps its options with a fresh token, so a stale stamp never matches.
_LOOKS = (f"o{n}" for n in itertools.count(1))


# Waits in the page until the open list stops changing: one round trip however long the server takes.
# The list is the one the field controls (aria-controls, read on each look: it is set on opening),
# else any visible popup of options.
OPTIONS_JS = """async (field, [waitMs, pollMs, token, settle]) => {
  const shown = (el) => el.getClientRects().length > 0;
  const look = () => {
    const id = field.getAttribute("aria-controls") || field.getAttribute("aria-owns");
    const box = id ? field.getRootNode().getElementById?.(id) || document.getElementById(id) : null;
    const found = box ? box.querySelectorAll("[role=option]")
      : document.querySelectorAll("[role=listbox] [role=option], [data-automation-widget=wd-popup] [role=option]");
    const items = [...found].filter(shown).map((o) => [o, o.textContent.trim()]).filter(([, t]) => t);
    // An open list that says "Start typing" or "No options" has nothing to wait for; "Loading" has.
    const idle = box && !items.length && box.textContent.trim() && !/loading|searching/i.test(box.textContent);
    return { items, idle };
  };
  const loading = () => {
    const box = document.getElementById(field.getAttribute("aria-controls") || "");
    return /loading|searching/i.test(box?.textContent || "");
  };
  // Each option is stamped, so the click finds it by one attribute, not by the text of every option.
  // Where a pointer at an option's centre would land on that option (not scrolled out of its list,
  // nothing lying over it), that point is given too: the click can go there without a search.
  const point = (o) => {
    const r = o.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const hit = r.width && r.height ? document.elementFromPoint(x, y) : null;
    return hit && (hit === o || o.contains(hit)) ? [x, y] : null;
  };
  const answer = (items) => ({
    texts: items.map(([, t]) => t),
    stamps: items.map(([o], i) => {
      o.setAttribute("data-autoapply-option", `${token}-${i}`);
      return `${token}-${i}`;
    }),
    points: items.map(([o]) => point(o)),
    controls: field.getAttribute("aria-controls") || "",
  });
  const end = Date.now() + waitMs;
  let previous = null;
  while (Date.now() < end) {
    const { items, idle } = look();
    const texts = items.map(([, t]) => t).join("\\n");
    const same = previous !== null && texts === previous.map(([, t]) => t).join("\\n");
    if (same && (items.length || idle)) return answer(items);
    const drawn = items.length && !items.some(([, t]) => /^(loading|searching)/i.test(t));
    if (!settle && drawn && !loading()) return answer(items);
    previous = items;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return answer(previous || []);
}"""


@dataclass(frozen=True)
class Shown:
    """The open list as one look saw it: its options, the id of the list the field controls, and
    where a pointer lands on each option that is in sight (by the option's stamp)."""

    options: list[Option]
    controls: str = ""
    points: dict[str, tuple[float, float]] = dataclasses.field(default_factory=dict)


async def _options(page: Page, record: FieldRecord, wait_s: float, *, settle: bool = True) -> Shown:
    """The options on screen, once two looks agree (a server may still be answering). A list just
    opened, not loading, is taken at the first look that shows options (`settle` False): its options
    were drawn at once; after typing, the list may still be changing, and two looks must agree."""
    token = next(_LOOKS)
    found = await on(page, record, OPTIONS_JS, [int(wait_s * 1000), int(POLL_S * 1000), token, settle])
    pairs = zip(found["texts"], found["stamps"], strict=True)
    points = {str(h): (float(p[0]), float(p[1])) for h, p in zip(found["stamps"], found["points"], strict=True) if p}
    options = [Option(label=str(t), value=str(t), handle=str(h)) for t, h in pairs]
    return Shown(options, str(found["controls"]), points)


def _pick(res: Resolution, options: list[Option], question: str) -> Option | None:
    if res.value == "decline" and not res.choice:
        return decline_option(options)
    return choose(res.choice or str(res.value), options, question)


async def _click_option(page: Page, record: FieldRecord, shown: Shown, option: Option, *, direct: bool) -> None:
    """A real click on the option: straight at the point the look saw it at, where it was in sight in
    the top frame (one round trip, not a locator's search, scroll and measure: about 5); else by its stamp."""
    point = shown.points.get(option.handle) if direct and record.frame == 0 else None
    if point is None and direct and record.frame == 0 and option.handle:
        point = await _point_in_sight(page, option.handle)
    if point is not None:
        await page.mouse.click(*point)
        return
    await _click_stamped(frame_of(page, record), shown.controls, option)


# The stamped option scrolled into sight within its list (it was below the list's fold, or the list
# below the page's), and where a pointer at its centre lands on it: one round trip, where a
# locator's click searches, scrolls, measures and waits (0.2-0.6 s a click on a loaded machine).
POINT_IN_SIGHT_JS = """(stamp) => {
  const o = document.querySelector(`[data-autoapply-option="${CSS.escape(stamp)}"]`);
  if (!o) return null;
  o.scrollIntoView({ block: "nearest", inline: "nearest", behavior: "instant" });
  const r = o.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const hit = r.width && r.height ? document.elementFromPoint(x, y) : null;
  return hit && (hit === o || o.contains(hit)) ? [x, y] : null;
}"""


async def _point_in_sight(page: Page, stamp: str) -> tuple[float, float] | None:
    try:
        found = await page.main_frame.evaluate(POINT_IN_SIGHT_JS, stamp)
    except PlaywrightError:
        return None
    return (float(found[0]), float(found[1])) if found else None


async def _click_stamped(frame: Frame, controls: str, option: Option) -> None:
    if option.handle:
        stamped = frame.locator(f'[data-autoapply-option="{option.handle}"]')
        try:
            await stamped.click(force=True, timeout=STAMPED_MS)
            return
        except PlaywrightError:
            pass  # the list was drawn again since it was read: find the option by its text
    scope = f'[id="{controls}"] [role=option]' if controls else OPEN_OPTIONS
    exact = frame.locator(scope).filter(has_text=re.compile(rf"^\s*{re.escape(option.label)}\s*$"))
    await exact.first.click(force=True, timeout=STAMPED_MS)  # a list that closed meanwhile is not waited on


# What a combobox shows as chosen: Workday pills, react-select chips or single value, else its text.
SHOWN_JS = """e => {
  const root = e.closest('[data-automation-id=multiSelectContainer], [class*=select__control],'
    + ' [class*=select-shell], [data-combobox], .select') || e.parentElement;
  const pills = [...root.querySelectorAll('[data-automation-id=selectedItem]')];
  if (pills.length) return pills.map(p => p.dataset.value || p.textContent.replace('×', '').trim()).join('; ');
  const chips = [...root.querySelectorAll('[class*=multi-value__label], [class*=multiValue] > div:first-child')];
  if (chips.length) return chips.map(c => c.textContent.trim()).join('; ');
  const single = root.querySelector('[class*=single-value], [class*=singleValue]');
  if (single) return single.textContent.trim();
  return e.tagName === 'BUTTON' || !('value' in e) ? e.textContent.trim() : (e.value || '');
}"""


AFTER_PICK_JS = f"e => [e.getAttribute('aria-expanded') === 'true', ({SHOWN_JS})(e)]"
TEXT_JS = "e => e.innerText"


def _shows(shown: str, label: str) -> bool:
    return any(same(part, label) for part in shown.split(";")) or same(shown, label)


async def fill_combobox(page: Page, record: FieldRecord, res: Resolution) -> Filled:
    field = locate(page, record)
    if record.value and res.choice and _shows(record.value, res.choice):
        return Filled(record, res, "kept", record.value)  # the reader saw it chosen already
    shown = ""
    for attempt in range(2):
        try:
            picked = await _open_and_pick(page, field, record, res, direct=attempt == 0)
        except PlaywrightError:
            # The list closed or was drawn again under the click (a loaded machine): the pick may
            # have landed all the same, so look before opening it again.
            await _close(field)
            _, shown = await _after_pick(page, record)
            if res.choice and _shows(shown, res.choice):
                return Filled(record, res, "filled", shown)
            if attempt:
                raise
            continue
        if isinstance(picked, str):
            return Filled(record, res, "unresolved", "", picked)
        expanded, shown = await _after_pick(page, record)
        if expanded:
            await _close(field)  # a multi-select stays open after a pick; a person closes it
        if _shows(shown, picked.label):
            return Filled(record, res, "filled", shown)
    return Filled(record, res, "failed", shown, "the dropdown did not keep the option")


async def _after_pick(page: Page, record: FieldRecord) -> tuple[bool, str]:
    """(still open, what it shows) in one look."""
    found = await on(page, record, AFTER_PICK_JS)
    return bool(found[0]), str(found[1])


async def _open_and_pick(
    page: Page, field: Locator, record: FieldRecord, res: Resolution, *, direct: bool
) -> Option | str:
    """The option clicked, or why none could be."""
    await click(page, record, field)
    shown = await _options(page, record, OPEN_WAIT_S if record.widget == "combobox" else WAIT_S, settle=False)
    options = real_options(shown.options)
    option = _pick(res, options, record.label) if options else None
    if option is None and record.widget == "combobox":
        query = _query(res)
        if query:
            await type_like_a_person(field, query)
            shown = await _options(page, record, WAIT_S)
            options = real_options(shown.options)
            option = _pick(res, options, record.label)
    if option is None:
        await field.press("Escape")
        return f"no option means {res.choice or res.value!r}" if options else "the dropdown showed no options"
    await _click_option(page, record, shown, option, direct=direct)  # the retry goes by the stamp
    return option


def _query(res: Resolution) -> str:
    """What a person types to narrow a long list: the first words of the answer."""
    text = res.choice or str(res.value or "")
    if not text or text == "decline":
        return ""
    return re.split(r"[,(+]", text)[0].strip()[:24]


async def fill_listbox_button(page: Page, record: FieldRecord, res: Resolution) -> Filled:
    """A button that opens a popup list (Workday): click, pick, check the button's text."""
    button = locate(page, record)
    shown = str(await on(page, record, TEXT_JS)).strip()
    if res.choice and same(shown, res.choice):
        return Filled(record, res, "kept", shown)
    for attempt in range(2):
        await button.click(force=True)
        listed = await _options(page, record, WAIT_S, settle=False)
        option = _pick(res, real_options(listed.options), record.label)
        if option is None:
            await _close(button)
            return Filled(record, res, "unresolved", "", f"no option means {res.choice or res.value!r}")
        await _click_option(page, record, listed, option, direct=attempt == 0)
        shown = str(await on(page, record, TEXT_JS)).strip()
        if same(shown, option.label) or fold(option.label) in fold(shown):
            return Filled(record, res, "filled", shown)
    return Filled(record, res, "failed", shown, "the dropdown did not keep the option")


async def _close(field: Locator) -> None:
    try:
        await field.press("Escape")
    except PlaywrightError:
        pass
