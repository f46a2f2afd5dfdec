// Shared by every view: calls to /api/v1 with the page's cookie and CSRF token, a DOM builder that
// never parses data as HTML, the words for states, and the live socket with its cursor.
"use strict";
const AA = (() => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  async function refresh() {
    const answer = await fetch("/app/session/refresh", { method: "POST", credentials: "same-origin" });
    return answer.ok;
  }

  function signIn() {
    location.href = "/app/signin?next=" + encodeURIComponent(location.pathname + location.search + location.hash);
  }

  // Resolves to {status, body}; a 401 refreshes the session once, then sends to sign-in.
  async function api(method, path, body, retried) {
    const headers = { "X-CSRF-Token": csrf };
    let payload = body;
    if (body !== undefined && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const answer = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
    if (answer.status === 401 && !retried) {
      if (await refresh()) return api(method, path, body, true);
      signIn();
    }
    const type = answer.headers.get("content-type") || "";
    const data = type.includes("json") ? await answer.json() : null;
    return { status: answer.status, ok: answer.ok, body: data };
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value === true) node.setAttribute(key, "");
      else node.setAttribute(key, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // replaceChildren, with nested lists flattened and empty parts left out (it would print "null").
  function put(node, ...children) {
    node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  }

  let toastTimer = null;
  function toast(text) {
    const box = document.getElementById("toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, 5000);
  }

  const STATES = {
    CREATED: ["Received", "running"], QUEUED: ["Queued", "running"], PROVISIONING: ["Preparing a browser", "running"],
    READY: ["Browser ready", "running"], RETRYING: ["Trying again", "running"], NAVIGATING: ["Opening the job", "running"],
    ANALYZING: ["Reading the form", "running"], EXECUTING_RPA: ["Filling the form", "running"],
    EXECUTING_AGENT: ["Filling the form", "running"], NEED_CAPTCHA: ["Waiting: a CAPTCHA", "waiting"],
    NEED_EMAIL_VERIFY: ["Waiting for a verification mail", "waiting"], NEED_HUMAN: ["Waiting for a person", "waiting"],
    NEED_REVIEW: ["Waiting for your review", "waiting"], HUMAN_TAKEOVER: ["Waiting for a person", "waiting"],
    SUBMITTING: ["Sending", "running"], VERIFYING_EMAIL: ["Checking the mail", "running"],
    VERIFYING_SUBMISSION: ["Confirming it arrived", "running"], COMPLETED: ["Applied", "good"],
    FAILED: ["Not applied", "bad"], REJECTED: ["Refused", "bad"], CANCELLED: ["Cancelled", "bad"],
    ASKS_YOU: ["Waiting for your answer", "waiting"],
  };
  // Where a value came from, in words (the pill keeps the code as its class).
  const SOURCES = { profile: "profile", answer_bank: "answer bank", operator: "an operator", llm: "AI draft", default: "default", user: "you" };
  function source(code) {
    return el("span", { class: `pill src-${code}` }, SOURCES[code] || String(code).replace(/_/g, " "));
  }

  const ENDED = new Set(["COMPLETED", "FAILED", "REJECTED", "CANCELLED", "CLEANUP"]);

  // CLEANUP only means the browser was put away: the task shows its outcome.
  function shown(state, outcome) { return state === "CLEANUP" && outcome ? outcome : state; }

  function pill(state) {
    const [words, kind] = STATES[state] || [state, ""];
    return el("span", { class: `pill ${kind}` }, words);
  }

  function when(iso) {
    if (!iso) return "";
    const at = new Date(iso);
    return at.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  function jobName(url) {
    try {
      const u = new URL(url);
      return u.hostname + u.pathname.replace(/\/$/, "");
    } catch (e) { return url; }
  }

  // A WebSocket that reconnects after any close, from the last cursor it got (nothing missed, nothing
  // twice), with a growing pause. onStatus(open, again) says when it is up or down; `again` is true on
  // every open after the first, when the page reads its data over HTTP anew. A 4404 (the task is not
  // this user's, or no longer exists) is tried a few times more, in case it was a passing refusal.
  const GONE_TRIES = 5;
  function live(path, onMessage, onStatus) {
    let cursor = null;
    let delay = 500;
    let opens = 0;
    let gone = 0;
    function open() {
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      const query = cursor ? `?after=${cursor}` : "";
      const ws = new WebSocket(`${scheme}://${location.host}${path}${query}`);
      ws.onopen = () => { delay = 500; opens += 1; onStatus && onStatus(true, opens > 1); };
      ws.onmessage = (msg) => {
        const data = JSON.parse(msg.data);
        if (data.cursor) cursor = data.cursor;
        gone = 0;
        onMessage(data);
      };
      ws.onclose = async (ev) => {
        onStatus && onStatus(false, false);
        if (ev.code === 4401 && !(await refresh())) return signIn();
        if (ev.code === 4404 && ++gone > GONE_TRIES) return;
        if (ev.code !== 4404) gone = 0;
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 10000);
      };
    }
    open();
  }

  // The socket is fed from the event stream and the HTTP answer from the read model, which folds
  // each event a moment later (seconds on a busy machine): a read that lacks an event the socket
  // already told of is read again, with a growing pause, for a while.
  const CATCH_UP_MS = 60000;
  const pause = (ms) => new Promise((done) => setTimeout(done, ms));
  async function fresh(path, eventIds) {
    let wait = 200;
    for (let spent = 0; ; spent += wait, wait = Math.min(wait * 2, 3000)) {
      const answer = await api("GET", path);
      const have = answer.ok ? new Set((answer.body.timeline || []).map((e) => e.event_id)) : null;
      if (!have || [...eventIds].every((id) => have.has(id)) || spent >= CATCH_UP_MS) return answer;
      await pause(wait);
    }
  }

  async function bell() {
    const answer = await api("GET", "/api/v1/notifications");
    const badge = document.getElementById("unread");
    if (!answer.ok || !badge) return;
    badge.textContent = answer.body.unread;
    badge.hidden = answer.body.unread === 0;
    badge.setAttribute("aria-label", `${answer.body.unread} unread`);
  }

  // A refusal's words for people: the API's sentence, and the fields it names.
  function why(body) {
    if (!body) return "something went wrong; try again";
    const fields = (body.fields || []).map((f) => f.field).join(", ");
    return body.message + (fields && !body.message.includes(fields) ? ` (${fields})` : "");
  }

  document.addEventListener("DOMContentLoaded", () => { bell(); setInterval(bell, 30000); });
  return { api, fresh, el, put, source, toast, pill, when, jobName, live, bell, why, shown, STATES, ENDED };
})();
