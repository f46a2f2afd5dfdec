// One application: its state live, the question or review waiting for the user, the receipt, the history.
"use strict";
(() => {
  const { api, el, pill, when, jobName, live, why, shown, toast } = AA;
  const root = document.getElementById("task");
  const taskId = root.dataset.taskId;
  const wanted = new URLSearchParams(location.search).get("open");
  let opened = false;
  let answering = false;

  const EVENT_WORDS = {
    "task.queued": "Queued", "task.progress": "Progress", "profile.ready": "Browser ready", "task.retrying": "Retrying",
    "captcha.detected": "A CAPTCHA appeared", "human.needed": "Needs a person", "human.resolved": "Answered",
    "human.timeout": "Nobody answered in time", "task.review_needed": "Waiting for your review", "task.approved": "Approved",
    "email.verification_needed": "Waiting for a verification mail", "email.verified": "Verification mail found",
    "email.not_found": "No verification mail came", "application.submitted": "Sent", "application.completed": "Confirmed",
    "application.failed": "Failed", "task.failed": "Failed", "task.cancelled": "Cancelled", "task.rejected": "Refused",
    "profile.released": "Browser put away", "profile.failed": "No browser could be prepared",
  };

  function fileUrl(key) {
    const at = key.indexOf(`/tasks/${taskId}/`);
    return at < 0 ? null : `/api/v1/tasks/${taskId}/files/${key.slice(at + `/tasks/${taskId}/`.length)}`;
  }

  function openQuestion(d) {
    return [...d.timeline].reverse().find((e) => e.type === "human.needed" && e.applied);
  }

  function asksYou(d) {
    const open = openQuestion(d);
    return ["NEED_HUMAN", "HUMAN_TAKEOVER"].includes(d.state) && open && ((open.data.questions || []).length > 0 || !!open.data.sign_in);
  }

  function summary(d) {
    const state = shown(d.state, d.outcome);
    const step = [...d.timeline].reverse().find((e) => e.type === "task.progress" && e.data.step);
    const items = [
      ["Job", el("a", { href: d.job_url, rel: "noreferrer noopener", target: "_blank" }, jobName(d.job_url))],
      ["Site", d.platform], ["Status", pill(asksYou(d) ? "ASKS_YOU" : state)],
      ["Step", step && step.data.total_steps ? `${step.data.step_number} of ${step.data.total_steps}: ${words(step.data.step)}` : (step ? words(step.data.step) : "—")],
      ["Started", when(d.created_at)], ["Last change", when(d.updated_at)],
    ];
    const failed = [...d.timeline].reverse().find((e) => ["task.failed", "application.failed"].includes(e.type));
    if (failed && state === "FAILED") items.push(["Why", failed.data.message || failed.data.reason]);
    AA.put(document.getElementById("task-summary"), ...items.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
    document.getElementById("task-title").textContent = `Application: ${jobName(d.job_url)}`;
    document.getElementById("cancel").hidden = AA.ENDED.has(d.state);
  }

  function control(id, q) {
    const common = { id, name: id, "data-label": q.label, required: q.required };
    if (q.options && q.options.length) {
      return el("select", common, el("option", { value: "" }, "Choose…"), q.options.map((o) => el("option", { value: o }, o)));
    }
    if (q.widget === "textarea") return el("textarea", { ...common, rows: 4 });
    return el("input", { ...common, type: q.widget === "date" ? "date" : "text" });
  }

  function question(d) {
    const section = document.getElementById("question");
    const open = [...d.timeline].reverse().find((e) => e.type === "human.needed" && e.applied);
    const waiting = ["NEED_HUMAN", "HUMAN_TAKEOVER"].includes(d.state);
    const fields = open ? (open.data.fields && open.data.fields.length ? open.data.fields
      : (open.data.questions || []).map((label) => ({ label, widget: "text", required: true, options: [] }))) : [];
    if (!waiting || !fields.length) { if (!answering) section.hidden = true; return; }
    if (!section.hidden && section.dataset.for === open.event_id) return; // keep what the user is typing
    section.dataset.for = open.event_id;
    const form = document.getElementById("question-form");
    const inputs = fields.map((q, n) => el("div", { class: "field" },
      el("label", { for: `q${n}` }, q.label, q.required ? el("span", { class: "muted" }, " (required)") : null),
      control(`q${n}`, q), q.reason ? el("span", { class: "hint" }, q.reason) : null));
    const page = open.data.page_url ? el("p", { class: "muted" }, "Asked by ", jobName(open.data.page_url)) : null;
    AA.put(form, page, ...inputs, el("div", { class: "buttons" }, el("button", { class: "primary", type: "submit" }, "Send my answer")));
    section.hidden = false;
  }

  function review(d) {
    const section = document.getElementById("review");
    if (!d.review) { section.hidden = true; return; }
    if (!section.hidden && section.dataset.for === d.review.review_id) return;
    section.dataset.for = d.review.review_id;
    const rows = d.review.fields.map((f, n) => el("tr", {},
      el("th", { scope: "row" }, el("label", { for: `r${n}` }, f.label)),
      el("td", {}, el("input", { type: "text", id: `r${n}`, value: f.value, "data-label": f.label, "data-was": f.value })),
      el("td", {}, AA.source(f.provenance))));
    const open = d.review.unresolved.map((q, n) => el("tr", {},
      el("th", { scope: "row" }, el("label", { for: `u${n}` }, q.label)),
      el("td", {}, control(`u${n}`, q)), el("td", {}, el("span", { class: "pill waiting" }, "unanswered"))));
    const shot = d.review.screenshot_uri && fileUrl(d.review.screenshot_uri);
    AA.put(document.getElementById("review-form"), 
      el("div", { class: "table-wrap" }, el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Field"),
        el("th", { scope: "col" }, "Value"), el("th", { scope: "col" }, "From"))), el("tbody", {}, rows, open))),
      shot ? el("p", {}, el("a", { href: shot, target: "_blank" }, "See the filled form")) : null,
      el("div", { class: "buttons" }, el("button", { class: "primary", type: "submit" }, d.review.dry_run ? "Send it after all" : "Approve and send")));
    section.hidden = false;
  }

  function receipt(d) {
    const section = document.getElementById("receipt");
    const sent = d.timeline.find((e) => e.type === "application.submitted");
    if (!d.receipt || !sent) { section.hidden = true; return; }
    const r = d.receipt;
    const facts = [
      ["Sent", when(r.submitted_at)], ["Confirmation", r.confirmation_id || r.confirmation_text || "—"],
      ["Proof", (r.evidence || []).join(", ") || "being checked"], ["Page", r.page_url || "—"],
    ];
    const fields = (sent.data.fields || []).map((f) => el("tr", {}, el("th", { scope: "row" }, f.label), el("td", {}, f.value),
      el("td", {}, AA.source(f.provenance))));
    const files = (sent.data.files || []).map((k) => (k.includes("/resumes/") ? "your resume" : k.split("/").pop()));
    const shots = d.screenshots.map(fileUrl).filter(Boolean).map((url) =>
      el("a", { href: url, target: "_blank" }, el("img", { src: url, alt: `Screenshot: ${url.split("/").pop()}`, loading: "lazy" })));
    AA.put(document.getElementById("receipt-body"), el("div", {},
      el("dl", {}, facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
      el("h3", {}, "Every field sent"),
      el("div", { class: "table-wrap" }, el("table", { class: "receipt" }, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Field"),
        el("th", { scope: "col" }, "Value"), el("th", { scope: "col" }, "Where it came from"))), el("tbody", {}, fields))),
      files.length ? el("p", {}, "Files: ", files.join(", ")) : null,
      shots.length ? [el("h3", {}, "Screenshots"), el("div", { class: "shots" }, shots)] : null));
    section.hidden = false;
  }

  const words = (text) => String(text).replace(/_/g, " ");

  function said(e) {
    if (e.type === "task.progress") {
      const state = (AA.STATES[e.data.state] || [words(e.data.state)])[0];
      if (e.data.step) return `${state}: ${words(e.data.step)}`;
      return e.data.detail ? `${state} (${e.data.detail})` : state;
    }
    if (e.type === "human.needed" && (e.data.questions || []).length) return "A question for you: " + e.data.questions.join("; ");
    if (e.type === "human.needed" && e.data.sign_in) return "The job site asks you to sign in (or pass its check), once";
    if (e.type === "human.resolved" && ["signed_in", "checkpoint_passed", "two_step_passed"].includes(e.data.resolution)) {
      return (e.data.operator_id || "").startsWith("user:") ? "You signed in" : "A person signed in for you";
    }
    if (e.type === "human.resolved") return (e.data.operator_id || "").startsWith("user:") ? "You answered" : "A person answered";
    const extra = e.data.message || e.data.reason;
    return (EVENT_WORDS[e.type] || e.type) + (extra ? `: ${words(extra)}` : "");
  }

  function timeline(d) {
    const items = d.timeline.filter((e) => e.applied || e.type === "task.progress").map((e, n, all) =>
      el("li", { class: n === all.length - 1 ? "now" : "" }, el("time", { datetime: e.at }, when(e.at)), said(e)));
    AA.put(document.getElementById("timeline"), ...items);
  }

  async function load() {
    const awaited = new Set(heard);
    const answer = await AA.fresh(`/api/v1/tasks/${taskId}`, awaited);
    for (const id of awaited) heard.delete(id);  // had, or waited for long enough
    if (!answer.ok) { AA.put(root, el("div", { class: "card empty" }, "There is no such application.")); return; }
    const d = answer.body;
    summary(d); question(d); review(d); receipt(d); timeline(d);
    AA.lastTask = d;
    if (AA.signIn) AA.signIn(d);  // liveview.js: the live browser while the task waits for the user to sign in
    if (!opened && wanted) {
      const target = document.getElementById(wanted);
      if (target && !target.hidden) {
        opened = true;
        target.scrollIntoView({ block: "start" });
        const first = target.querySelector("input, select, textarea");
        (first || target).focus();
      }
    }
  }

  document.getElementById("question-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const answers = {};
    for (const input of ev.target.querySelectorAll("[data-label]")) answers[input.dataset.label] = input.value;
    answering = true;
    const answer = await api("POST", `/api/v1/tasks/${taskId}/answer`, { answers });
    if (answer.ok) {
      AA.put(ev.target, el("p", { class: "notice good", role: "status" }, "Thank you: your answer is on its way to the form, and saved to your answer bank."));
      toast("Answer sent");
    } else {
      answering = false;
      ev.target.prepend(el("p", { class: "notice bad", role: "alert" }, why(answer.body)));
    }
  });

  document.getElementById("review-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const corrections = {};
    for (const input of ev.target.querySelectorAll("[data-label]")) {
      if (input.dataset.was === undefined || input.value !== input.dataset.was) corrections[input.dataset.label] = input.value;
    }
    const answer = await api("POST", `/api/v1/tasks/${taskId}/approve`, { corrections });
    if (answer.ok) {
      AA.put(ev.target, el("p", { class: "notice good", role: "status" }, "Approved: it is being sent now."));
    } else {
      ev.target.prepend(el("p", { class: "notice bad", role: "alert" }, why(answer.body)));
    }
  });

  document.getElementById("cancel").addEventListener("click", async () => {
    if (!confirm("Cancel this application? If it was already sent, it stays sent.")) return;
    const answer = await api("POST", `/api/v1/tasks/${taskId}/cancel`);
    toast(answer.ok ? "Cancelling…" : why(answer.body));
  });

  // One read at a time; what the socket tells meanwhile is read right after.
  const heard = new Set();
  let pending = null, reading = false, again = false;
  async function read() {
    if (reading) { again = true; return; }
    reading = true;
    try {
      do { again = false; await load(); } while (again);
    } finally { reading = false; }
  }
  function soon(msg) {
    if (msg && msg.event_id) heard.add(msg.event_id);
    clearTimeout(pending);
    pending = setTimeout(read, 150);
  }
  // Read anew on every reconnect: what happened while the socket was down shows even if the socket
  // replays nothing new.
  read().then(() => live(`/api/v1/tasks/${taskId}/ws`, soon, (open, reopened) => { if (reopened) soon(); }));
})();
