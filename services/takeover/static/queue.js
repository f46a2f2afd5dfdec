// The queue page: refreshes the list every two seconds, oldest and most urgent first.
(function () {
  const body = document.getElementById("queue-body");
  const count = document.getElementById("queue-count");
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  const left = (iso) => Math.max(0, Math.round((new Date(iso) - Date.now()) / 1000));
  function row(i) {
    const who = i.claimed_by ? '<span class="muted">being worked on</span>' : '<a class="open" href="/interventions/' + esc(i.intervention_id) + '">Open</a>';
    const prio = i.priority === "high" ? ' <span class="pill high">high</span>' : "";
    const trace = i.trace_url ? ' · <a class="trace" href="' + esc(i.trace_url) + '">trace</a>' : "";
    const soon = left(i.deadline_at) < 60 ? " soon" : "";
    return "<tr data-task=\"" + esc(i.task_id) + "\" data-intervention=\"" + esc(i.intervention_id) + "\">" +
      "<td><span class=\"pill " + esc(i.kind) + "\">" + esc(i.kind.replace(/_/g, " ")) + "</span>" + prio + "</td>" +
      "<td>" + esc(i.reason) + (i.questions.length ? "<div class=\"muted\">" + i.questions.map((q) => esc(q.label)).join(" · ") + "</div>" : "") + "</td>" +
      "<td>" + esc(i.platform || "") + "<div class=\"muted url\">" + esc(i.page_url || "") + "</div></td>" +
      "<td><code>" + esc(i.task_id.slice(0, 8)) + "</code>" + trace + "</td>" +
      "<td class=\"countdown" + soon + "\" data-deadline=\"" + esc(i.deadline_at) + "\">" + left(i.deadline_at) + " s</td><td>" + who + "</td></tr>";
  }
  async function refresh() {
    try {
      const answer = await fetch("/api/v1/interventions", {credentials: "same-origin"});
      if (answer.status === 401 || answer.status === 403) { location.href = "/login"; return; }
      const items = (await answer.json()).interventions;
      count.textContent = items.length;
      body.innerHTML = items.length ? items.map(row).join("") : '<tr><td colspan="6" class="empty">Nobody is waiting. New requests appear here by themselves.</td></tr>';
    } catch (e) { /* the next refresh tries again */ }
  }
  refresh();
  setInterval(refresh, 2000);
})();
