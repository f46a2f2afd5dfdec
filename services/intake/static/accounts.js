// Stored job-site accounts (never a password shown), mail settings, export and delete.
"use strict";
(() => {
  const { api, el, when, why, toast } = AA;
  const $ = (id) => document.getElementById(id);

  async function credentials() {
    const answer = await api("GET", "/api/v1/credentials");
    if (!answer.ok) return;
    const rows = answer.body.credentials.map((c) => el("tr", {},
      el("td", {}, c.platform), el("td", {}, c.tenant || "—"), el("td", {}, c.username),
      el("td", {}, when(c.updated_at || c.stored_at)),
      el("td", {}, el("button", { class: "plain small", type: "button", "aria-label": `Remove the ${c.platform} account ${c.username}`,
        onclick: () => remove(c) }, "Remove"))));
    AA.put($("cred-rows"), ...(rows.length ? rows
      : [el("tr", {}, el("td", { colspan: 5, class: "muted" }, "No accounts stored."))]));
  }

  async function remove(c) {
    const query = new URLSearchParams({ platform: c.platform });
    if (c.tenant) query.set("tenant", c.tenant);
    const answer = await api("DELETE", `/api/v1/credentials?${query}`);
    toast(answer.ok ? "Account removed" : why(answer.body));
    credentials();
  }

  $("cred-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { platform: $("cred-platform").value, username: $("cred-username").value.trim(), password: $("cred-password").value };
    const tenant = $("cred-tenant").value.trim();
    if (tenant) body.tenant = tenant;
    const answer = await api("PUT", "/api/v1/credentials", body);
    $("cred-password").value = "";
    if (!answer.ok) { toast(`Not stored: ${why(answer.body)}`); return; }
    toast("Account stored");
    $("cred-username").value = "";
    $("cred-tenant").value = "";
    credentials();
  });

  async function notifications() {
    const answer = await api("GET", "/api/v1/notifications/settings");
    if (!answer.ok) return;
    $(`mail-${answer.body.mail}`).checked = true;
    $("digest-hour").value = answer.body.digest_hour;
    $("mail-note").textContent = answer.body.mail_configured ? "" : "Mail is not set up on this server yet: notifications show on the page only.";
  }

  $("notif-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const mail = (document.querySelector('input[name="mail"]:checked') || {}).value || "each";
    const answer = await api("PUT", "/api/v1/notifications/settings", { mail, digest_hour: Number($("digest-hour").value) });
    toast(answer.ok ? "Saved" : why(answer.body));
  });

  $("delete-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if ($("delete-confirm").value.trim().toLowerCase() !== "delete") { toast('Type "delete" to confirm'); $("delete-confirm").focus(); return; }
    const answer = await api("DELETE", "/api/v1/me");
    if (answer.ok) location.href = "/app/signin";
    else toast(why(answer.body));
  });

  credentials();
  notifications();
})();
