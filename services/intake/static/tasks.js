// Applications: paste job links (each refusal says why), and every task's state, live.
"use strict";
(() => {
  const { api, el, pill, when, jobName, live, why, shown, toast } = AA;
  const rows = document.getElementById("task-rows");
  const tasks = new Map(); // task_id -> {summary, progress, waiting}

  function refusal(result) {
    const link = result.existing_task_id ? el("a", { href: `/app/tasks/${result.existing_task_id}` }, "see it") : null;
    switch (result.error) {
      case "duplicate_job":
        return ["Duplicate: you already have an application for this job (", link, ")"];
      case "quota_exceeded":
        return [`Daily limit reached (${result.limit} a day on your plan); try again in ${Math.ceil(result.retry_after_s / 3600)} h`];
      case "refused_url":
        return [`Unsafe or not a job link: ${result.message}`];
      case "no_resume":
        return ["Upload a resume first, on your ", el("a", { href: "/app/profile" }, "profile"), ""];
      default:
        return [why(result)];
    }
  }

  function progressOf(task) {
    const state = shown(task.summary.state, task.summary.outcome);
    if (task.waiting) return el("span", {}, task.waiting);
    if (AA.ENDED.has(state)) return task.summary.outcome === "COMPLETED" ? "Done" : "";
    const p = task.progress;
    if (p && p.total_steps) {
      return el("span", {}, el("progress", { max: p.total_steps, value: p.step_number, "aria-label": "progress" }),
        ` step ${p.step_number} of ${p.total_steps}`, el("span", { class: "sub" }, p.step));
    }
    return p && p.step ? p.step : "";
  }

  function row(task) {
    const s = task.summary;
    return el("tr", { id: `task-${s.task_id}`, "data-state": shown(s.state, s.outcome) },
      el("td", {}, el("a", { href: `/app/tasks/${s.task_id}` }, jobName(s.job_url)), el("span", { class: "sub" }, s.platform)),
      el("td", { class: "state" }, pill(task.asks ? "ASKS_YOU" : shown(s.state, s.outcome))),
      el("td", { class: "progress" }, progressOf(task)),
      el("td", {}, when(s.created_at)));
  }

  function render() {
    const list = [...tasks.values()].sort((a, b) => b.summary.created_at.localeCompare(a.summary.created_at));
    AA.put(rows, ...(list.length ? list.map(row)
      : [el("tr", {}, el("td", { colspan: 4, class: "muted" }, "No applications yet: paste a job link above."))]));
  }

  function waitingWords(detail) {
    const open = detail.timeline.filter((e) => e.type === "human.needed" || e.type === "captcha.detected").pop();
    if (detail.state === "NEED_REVIEW") return el("a", { href: `/app/tasks/${detail.task_id}?open=review#review` }, "Review and approve");
    if (!open) return null;
    if (open.type === "captcha.detected") return "A person is solving a CAPTCHA";
    if (open.data.sign_in) return el("a", { href: `/app/tasks/${detail.task_id}?open=signin#signin` }, "Sign in to the job site, once");
    if ((open.data.questions || []).length) {
      return el("a", { href: `/app/tasks/${detail.task_id}?open=question#question` }, "Answer: " + open.data.questions.join("; "));
    }
    return `A person is looking: ${open.data.reason}`;
  }

  async function refreshOne(taskId, eventId) {
    const answer = await AA.fresh(`/api/v1/tasks/${taskId}`, eventId ? [eventId] : []);
    if (!answer.ok) return;
    const d = answer.body;
    const known = tasks.get(taskId) || {};
    const waiting = ["NEED_HUMAN", "HUMAN_TAKEOVER", "NEED_CAPTCHA", "NEED_REVIEW"].includes(d.state) ? waitingWords(d) : null;
    const open = d.timeline.filter((e) => e.type === "human.needed" && e.applied).pop();
    const asks = ["NEED_HUMAN", "HUMAN_TAKEOVER"].includes(d.state) && !!open && ((open.data.questions || []).length > 0 || !!open.data.sign_in);
    tasks.set(taskId, { summary: d, progress: known.progress, waiting, asks });
  }

  async function load() {
    const answer = await api("GET", "/api/v1/tasks?limit=200");
    if (!answer.ok) return;
    for (const s of answer.body.tasks) tasks.set(s.task_id, { summary: s, progress: null, waiting: null });
    const waiting = answer.body.tasks.filter((s) => ["NEED_HUMAN", "HUMAN_TAKEOVER", "NEED_CAPTCHA", "NEED_REVIEW"].includes(s.state));
    await Promise.all(waiting.map((s) => refreshOne(s.task_id)));
    render();
  }

  async function onLive(msg) {
    let task = tasks.get(msg.task_id);
    if (!task) { await refreshOne(msg.task_id, msg.event_id); render(); return; }
    if (msg.type === "state_change") {
      task.summary.state = msg.to;
      if (AA.ENDED.has(msg.to) && msg.to !== "CLEANUP") task.summary.outcome = msg.to;
      if (!["NEED_HUMAN", "HUMAN_TAKEOVER", "NEED_CAPTCHA", "NEED_REVIEW"].includes(msg.to)) { task.waiting = null; task.asks = false; }
      else { await refreshOne(msg.task_id, msg.event_id); task = tasks.get(msg.task_id); }
      if (AA.ENDED.has(msg.to)) AA.bell();
    } else if (msg.type === "progress") {
      task.progress = msg;
    } else if (msg.type === "human_needed") {
      await refreshOne(msg.task_id, msg.event_id);
      AA.bell();
    }
    const old = document.getElementById(`task-${msg.task_id}`);
    const fresh = row(tasks.get(msg.task_id));
    if (old) old.replaceWith(fresh); else render();
  }

  document.getElementById("apply-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const box = document.getElementById("job-urls");
    const urls = box.value.split(/\s+/).map((u) => u.trim()).filter(Boolean);
    if (!urls.length) return;
    const button = ev.submitter;
    button.disabled = true;
    const answer = await api("POST", "/api/v1/tasks/batch", { job_urls: urls });
    button.disabled = false;
    const out = document.getElementById("apply-results");
    if (!answer.ok) { AA.put(out, el("p", { class: "notice bad", role: "alert" }, why(answer.body))); return; }
    const items = answer.body.results.map((r) => r.http_status === 201
      ? el("li", { class: "ok" }, el("strong", {}, "Started: "), jobName(r.job_url))
      : el("li", { class: "refused" }, el("strong", {}, "Refused: "), jobName(r.job_url), " — ", ...refusal(r)));
    const { accepted, refused } = answer.body;
    AA.put(out, el("p", {}, `${accepted} started, ${refused} refused.`), el("ul", { class: "results" }, items));
    box.value = answer.body.results.filter((r) => r.http_status !== 201 && r.error !== "duplicate_job").map((r) => r.job_url).join("\n");
    for (const r of answer.body.results) if (r.http_status === 201) await refreshOne(r.task_id);
    render();
    toast(`${accepted} application${accepted === 1 ? "" : "s"} started`);
  });

  const status = document.getElementById("live-status");
  load().then(() => live("/api/v1/ws", onLive, (on, reopened) => {
    status.textContent = on ? "live" : "reconnecting…";
    status.classList.toggle("on", on);
    if (reopened) load();  // a user socket without a cursor starts now: read what changed meanwhile
  }));
})();
