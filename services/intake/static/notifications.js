// Notifications: what completed, failed or needs the user, newest first; each links to its application.
"use strict";
(() => {
  const { api, el, when, why, toast } = AA;
  const list = document.getElementById("notes");

  async function load() {
    const answer = await api("GET", "/api/v1/notifications");
    if (!answer.ok) return;
    const items = answer.body.notifications.map((n) => el("li", { class: n.read_at ? "" : "unread" },
      el("h2", {}, el("a", { href: n.link }, n.title)), el("p", {}, n.body),
      el("span", { class: "when" }, when(n.created_at), n.mailed_at ? " · mailed" : n.mail === "daily" ? " · in the daily digest" : "",
        n.read_at ? "" : " · new")));
    AA.put(list, ...(items.length ? items : [el("li", { class: "muted" }, "Nothing yet. You are told here when an application completes, fails or needs you.")]));
  }

  document.getElementById("read-all").addEventListener("click", async () => {
    const answer = await api("POST", "/api/v1/notifications/read", {});
    if (!answer.ok) { toast(why(answer.body)); return; }
    await load();
    AA.bell();
  });

  load();
})();
