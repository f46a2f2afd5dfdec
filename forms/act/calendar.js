// One look at a date field's pop-up calendar: what a person would press next to reach the date.
// Returns {do: "click" | "select" | "open", stamp, value?, last?} or {do: "none", why}. The element to
// press is stamped (data-autoapply-cal) so the filler clicks it as a person, with real mouse events.
// Read from the calendar itself: the month or year it shows (its heading, or its cells' own dates),
// its day, month or year cells, its previous / next buttons, and month or year selects inside it.
async (field, [year, month, day, token, opened]) => {
  const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december"];
  const OFF = /\b(outside|other-?month|adjacent|disabled|muted|prev-?month|next-?month|not-?current)\b/i;
  const PREV = /prev|previous|back|earlier|‹|«|<|←/i;
  const NEXT = /next|forward|later|›|»|>|→/i;
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const says = (el) => [el.getAttribute("aria-label"), el.getAttribute("title"), el.textContent]
    .filter(Boolean).join(" ").replace(/\s+/g, " ").trim();
  const monthOf = (word) => {
    const w = word.toLowerCase().replace(/\.$/, "");
    const i = w.length >= 3 ? MONTHS.findIndex((m) => m.startsWith(w)) : -1;
    return i >= 0 ? i + 1 : null;
  };
  // A full date written on a cell (aria-label "Choose Tuesday, March 5th, 2019", data-date "2019-03-05").
  const dateIn = (text) => {
    const iso = (text || "").match(/\b(\d{4})-(\d{2})(?:-(\d{2}))?\b/);
    if (iso) return { y: +iso[1], m: +iso[2], d: iso[3] ? +iso[3] : null };
    const y = (text || "").match(/\b(19|20)\d{2}\b/);
    const m = ((text || "").match(/[A-Za-z]{3,}\.?/g) || []).map(monthOf).find(Boolean);
    if (!y || !m) return null;
    const d = (text.replace(y[0], "").match(/\b(\d{1,2})(st|nd|rd|th)?\b/) || [])[1];
    return { y: +y[0], m, d: d ? +d : null };
  };
  const cellDate = (el) => dateIn(el.getAttribute("data-date") || el.getAttribute("data-value") || "")
    || dateIn(el.getAttribute("aria-label") || el.getAttribute("title") || "");
  const mark = (el, n) => { el.setAttribute("data-autoapply-cal", `${token}-${n}`); return `${token}-${n}`; };
  const act = (what, el, extra) => ({ do: what, stamp: mark(el, 0), ...extra });

  const popupNear = () => {
    const id = field.getAttribute("aria-controls") || field.getAttribute("aria-owns");
    const own = id && document.getElementById(id);
    if (own && shown(own)) return own;
    const kinds = "[role=dialog], [role=grid], [class*=calendar i], [class*=datepicker i], [class*=picker i], [class*=popup i], [class*=popover i]";
    for (let node = field.parentElement, depth = 0; node && depth < 5; node = node.parentElement, depth++) {
      const found = [...node.querySelectorAll(kinds)].find((p) => shown(p) && !p.contains(field) && p.querySelector("button, td, [role=gridcell]"));
      if (found) return found;
    }
    const open = [...document.querySelectorAll(kinds)].filter((p) => shown(p) && !p.contains(field) && p.querySelector("button, td, [role=gridcell]"));
    return open[open.length - 1] || null;
  };
  const popup = popupNear();
  if (!popup) {
    if (opened) return { do: "none", why: "no calendar opened" };
    // A calendar button beside the field ("Choose date", an icon with aria-haspopup).
    for (let node = field.parentElement, depth = 0; node && depth < 3; node = node.parentElement, depth++) {
      const named = (b) => /calendar|date/i.test(`${b.getAttribute("aria-label") || ""} ${b.getAttribute("title") || ""}`);
      const button = [...node.querySelectorAll("button, [role=button]")].find((b) => shown(b)
        && (["dialog", "grid", "true"].includes(b.getAttribute("aria-haspopup")) || named(b)));
      if (button) return act("open", button);
    }
    return { do: "none", why: "no calendar opened" };
  }

  // Month and year selects inside the calendar are set directly; once set, they say what is shown.
  let selectYear = null, selectMonth = null;
  for (const select of popup.querySelectorAll("select")) {
    const options = [...select.options];
    const years = options.filter((o) => /^\d{4}$/.test(o.textContent.trim()));
    const months = options.filter((o) => monthOf(o.textContent.trim()) || /^(0?[1-9]|1[0-2])$/.test(o.textContent.trim()));
    if (years.length > 1 && years.length >= options.length - 1) {
      const want = years.find((o) => +o.textContent.trim() === year);
      if (!want) return { do: "none", why: `the calendar offers no year ${year}` };
      if (!want.selected) return act("select", select, { value: want.value });
      selectYear = year;
    } else if (months.length >= 12) {
      const want = months.find((o) => (monthOf(o.textContent.trim()) || +o.textContent.trim()) === month);
      if (want && !want.selected) return act("select", select, { value: want.value });
      if (want) selectMonth = month;
    }
  }

  const usable = (el) => shown(el) && !el.disabled && el.getAttribute("aria-disabled") !== "true"
    && !OFF.test(el.className || "") && !OFF.test(el.parentElement?.className || "");
  const cells = [...popup.querySelectorAll("button, td, [role=gridcell], [role=option], a")].filter(usable)
    .filter((el) => !el.querySelector("button, [role=gridcell], a"));
  const textOf = (el) => el.textContent.replace(/\s+/g, " ").trim();
  const days = cells.filter((el) => /^\d{1,2}$/.test(textOf(el)) || (cellDate(el)?.d && /^\d{1,2}\b/.test(textOf(el))));
  const monthCells = cells.filter((el) => monthOf(textOf(el)) && !/\d/.test(textOf(el)));
  const yearCells = cells.filter((el) => /^\d{4}$/.test(textOf(el)));

  // The period on show: the heading's "March 2019" (or its year alone), else what the cells say.
  const heading = [...popup.querySelectorAll("*")]
    .filter((el) => !cells.includes(el) && el.children.length === 0 && !el.closest("select"))
    .map(textOf).filter(Boolean).join(" ");
  const headMonth = (heading.match(/[A-Za-z]{3,}/g) || []).map(monthOf).find(Boolean) || null;
  const headYear = +((heading.match(/\b(19|20)\d{2}\b/) || [])[0] || 0) || null;
  const dated = days.map(cellDate).filter((d) => d && d.d);
  const common = (values) => values.sort((a, b) => values.filter((v) => v === b).length - values.filter((v) => v === a).length)[0];
  const viewYear = selectYear || headYear || (dated.length ? common(dated.map((d) => d.y)) : null)
    || (monthCells.length ? (monthCells.map(cellDate).find(Boolean) || {}).y : null);
  const viewMonth = selectMonth || headMonth || (dated.length ? common(dated.map((d) => d.m)) : null);

  let moveBy = 0;  // months to go (a day calendar) or years (a month calendar)
  let unit = "month";
  if (days.length >= 28 && month) {
    const target = days.find((el) => { const d = cellDate(el); return d && d.y === year && d.m === month && d.d === (day || 1); });
    if (target) return act("click", target, { last: true });
    if (viewYear && viewMonth === month && viewYear === year) {
      const plain = days.find((el) => +textOf(el) === (day || 1));
      if (plain) return act("click", plain, { last: true });
    }
    if (!viewYear || !viewMonth) return { do: "none", why: "the calendar does not say which month it shows" };
    moveBy = (year - viewYear) * 12 + (month - viewMonth);
  } else if (monthCells.length >= 12 && month) {
    if (viewYear === year || monthCells.some((el) => cellDate(el)?.y === year && cellDate(el)?.m === month)) {
      const target = monthCells.find((el) => monthOf(textOf(el)) === month && (!cellDate(el) || cellDate(el).y === year));
      if (target) return act("click", target, { last: true });
    }
    if (!viewYear) return { do: "none", why: "the calendar does not say which year it shows" };
    moveBy = year - viewYear;
    unit = "year";
  } else if (yearCells.length) {
    const target = yearCells.find((el) => +textOf(el) === year);
    if (target) return act("click", target, { last: !month });
    const years = yearCells.map((el) => +textOf(el));
    moveBy = year < Math.min(...years) ? -1 : 1;
    unit = "page";
  } else {
    return { do: "none", why: "the calendar shows no days, months or years" };
  }
  if (moveBy === 0) return { do: "none", why: "the date is not offered" };
  const buttons = [...popup.querySelectorAll("button, [role=button], a")].filter(usable).filter((b) => !cells.includes(b) || !/\d/.test(textOf(b)));
  const way = moveBy < 0 ? PREV : NEXT;
  const towards = buttons.filter((b) => way.test(says(b)) || way.test(b.className || ""));
  const byYear = towards.filter((b) => /year/i.test(says(b)));
  const byMonth = towards.filter((b) => !/year/i.test(says(b)));
  const pick = unit === "month" && Math.abs(moveBy) >= 12 && byYear.length ? byYear[0] : (unit === "month" ? byMonth[0] || towards[0] : byYear[0] || towards[0]);
  return pick ? act("click", pick) : { do: "none", why: "the calendar has no way to the date's month" };
}
