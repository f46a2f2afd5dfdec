// The profile: resume upload and its parsed fields, the profile itself, preferences, EEO, the answer bank.
"use strict";
(() => {
  const { api, el, when, why, toast } = AA;
  const TEXT = ["first_name", "last_name", "email", "phone", "location", "current_title", "current_company",
    "linkedin_url", "github_url", "portfolio_url"];
  const PREF_TEXT = ["salary", "notice_period", "earliest_start"];
  const PREF_TRI = ["sponsorship", "work_authorization", "relocation", "remote", "privacy_consent"];
  const PREF_BOOL = ["allow_llm", "review_before_submit", "save_operator_answers", "operators_may_sign_in", "decline_eeo"];
  const EEO = ["gender", "race", "hispanic_latino", "veteran", "disability", "sexual_orientation", "transgender"];
  const PARSED_LABELS = {
    first_name: "First name", last_name: "Last name", email: "E-mail", phone: "Phone", location: "Location",
    linkedin_url: "LinkedIn", github_url: "GitHub", portfolio_url: "Website", current_title: "Current title",
    current_company: "Current company", years_of_experience: "Years of experience",
  };
  let profile = null; // the whole stored profile: parts this page does not edit are kept as they are
  const $ = (id) => document.getElementById(id);

  function blank(me) {
    const [first, ...rest] = (me.name || "").split(" ");
    return { first_name: first || "", last_name: rest.join(" "), email: me.email, answers: {}, eeo: {}, preferences: {} };
  }

  function fill() {
    for (const k of TEXT) $(`p-${k}`).value = profile[k] || "";
    $("p-years_of_experience").value = profile.years_of_experience ?? "";
    const prefs = profile.preferences || {};
    for (const k of PREF_TEXT) $(`pref-${k}`).value = prefs[k] || "";
    for (const k of PREF_TRI) $(`pref-${k}`).value = prefs[k] === true ? "true" : prefs[k] === false ? "false" : "";
    const defaults = { save_operator_answers: true, decline_eeo: true };
    for (const k of PREF_BOOL) $(`pref-${k}`).checked = prefs[k] ?? defaults[k] ?? false;
    for (const k of EEO) $(`eeo-${k}`).value = (profile.eeo || {})[k] || "decline";
    bank();
  }

  function gathered() {
    const out = { ...profile, preferences: { ...(profile.preferences || {}) }, eeo: { ...(profile.eeo || {}) } };
    for (const k of TEXT) out[k] = $(`p-${k}`).value.trim() || null;
    const years = $("p-years_of_experience").value;
    out.years_of_experience = years === "" ? null : Number(years);
    for (const k of PREF_TEXT) out.preferences[k] = $(`pref-${k}`).value.trim() || null;
    for (const k of PREF_TRI) { const v = $(`pref-${k}`).value; out.preferences[k] = v === "" ? null : v === "true"; }
    for (const k of PREF_BOOL) out.preferences[k] = $(`pref-${k}`).checked;
    for (const k of EEO) out.eeo[k] = $(`eeo-${k}`).value.trim() || "decline";
    return out;
  }

  async function save(next, what) {
    const answer = await api("PUT", "/api/v1/profile", next);
    if (!answer.ok) { toast(`Not saved: ${why(answer.body)}`); return false; }
    profile = answer.body;
    fill();
    toast(`${what} saved`);
    return true;
  }

  function bank() {
    const entries = Object.entries(profile.answers || {}).sort(([a], [b]) => a.localeCompare(b));
    const rows = entries.map(([q, a], n) => el("tr", {},
      el("th", { scope: "row" }, el("label", { for: `bank-${n}` }, q)),
      el("td", {}, el("input", { type: "text", id: `bank-${n}`, value: a.answer, onchange: (ev) => editAnswer(q, ev.target.value) })),
      el("td", {}, AA.source(a.provenance)),
      el("td", {}, a.saved_at ? el("time", { datetime: a.saved_at }, when(a.saved_at)) : "—"),
      el("td", {}, el("button", { class: "plain small", type: "button", "aria-label": `Remove the answer to ${q}`, onclick: () => removeAnswer(q) }, "Remove"))));
    AA.put($("bank-rows"), ...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 5, class: "muted" },
      "No answers yet. Questions you answer for a form are kept here."))]));
  }

  function editAnswer(q, value) {
    const answers = { ...profile.answers };
    if (!value.trim()) delete answers[q];
    else answers[q] = { answer: value.trim(), provenance: "user", saved_at: null };
    save({ ...profile, answers }, "Answer");
  }

  function removeAnswer(q) {
    const answers = { ...profile.answers };
    delete answers[q];
    save({ ...profile, answers }, "Answer bank");
  }

  function parsedForm(parsed) {
    const keys = Object.keys(PARSED_LABELS).filter((k) => parsed[k] !== undefined && parsed[k] !== null);
    const rows = keys.map((k) => el("div", { class: "parsed-row" },
      el("input", { type: "checkbox", id: `use-${k}`, checked: true, "aria-label": `Use ${PARSED_LABELS[k]}` }),
      el("div", { class: "field" }, el("label", { for: `parsed-${k}` }, PARSED_LABELS[k]),
        el("input", { type: k === "years_of_experience" ? "number" : "text", id: `parsed-${k}`, value: parsed[k], "data-key": k }),
        profile[k] && String(profile[k]) !== String(parsed[k]) ? el("span", { class: "hint" }, `Your profile says: ${profile[k]}`) : null)));
    AA.put($("parsed-fields"), ...(rows.length ? rows : [el("p", { class: "muted" }, "Nothing could be read from this file.")]));
    $("parsed-form").hidden = false;
    const first = $("parsed-fields").querySelector("input[type=text], input[type=number]");
    if (first) first.focus();
  }

  async function resumes() {
    const answer = await api("GET", "/api/v1/resumes");
    if (!answer.ok) return;
    const list = answer.body.resumes || [];
    $("resume-list").textContent = list.length
      ? `On file: ${list.map((r) => `${r.filename} (${when(r.created_at)})`).join(", ")}. The newest is sent with each application.`
      : "No resume on file yet.";
  }

  $("resume-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const file = $("resume-file").files[0];
    if (!file) return;
    const data = new FormData();
    data.append("file", file);
    const answer = await api("POST", "/api/v1/resumes", data);
    if (!answer.ok) { toast(`Not uploaded: ${why(answer.body)}`); return; }
    toast("Resume uploaded: check what was read from it");
    parsedForm(answer.body.parsed || {});
    resumes();
  });

  $("parsed-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const next = { ...profile };
    for (const input of $("parsed-fields").querySelectorAll("input[data-key]")) {
      if (!$(`use-${input.dataset.key}`).checked) continue;
      const k = input.dataset.key;
      next[k] = k === "years_of_experience" ? (input.value === "" ? null : Number(input.value)) : input.value.trim() || null;
    }
    if (await save(next, "Profile")) $("parsed-form").hidden = true;
  });

  $("profile-form").addEventListener("submit", async (ev) => { ev.preventDefault(); await save(gathered(), "Profile"); });

  $("bank-add").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const q = $("bank-q").value.trim(), a = $("bank-a").value.trim();
    if (!q || !a) return;
    const answers = { ...profile.answers, [q]: { answer: a, provenance: "user", saved_at: null } };
    if (await save({ ...profile, answers }, "Answer")) { $("bank-q").value = ""; $("bank-a").value = ""; }
  });

  async function load() {
    const [me, stored] = await Promise.all([api("GET", "/api/v1/me"), api("GET", "/api/v1/profile")]);
    profile = stored.ok ? stored.body : blank(me.body || {});
    fill();
    resumes();
    if (new URLSearchParams(location.search).get("welcome")) {
      document.querySelector("main h1").after(el("p", { class: "notice good", role: "status" },
        "Welcome! Start with your resume: upload it, check what was read, and save it to your profile."));
    }
  }
  load();
})();
