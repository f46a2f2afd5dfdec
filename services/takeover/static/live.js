// One intervention: claim it, keep the claim alive, show the task's browser and send it input.
(function () {
  const root = document.getElementById("intervention");
  const id = root.dataset.id;
  const canvas = document.getElementById("screen");
  const status = document.getElementById("screen-status");
  const notice = document.getElementById("notice");
  let beat = null;

  const say = (text, bad) => { notice.textContent = text; notice.className = "notice" + (bad ? " bad" : ""); notice.hidden = !text; };
  const post = (path, body) => fetch("/api/v1/interventions/" + id + path, {
    method: "POST", credentials: "same-origin", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body || {}),
  });

  async function claim() {
    const answer = await post("/claim");
    if (answer.ok) {
      const {heartbeat_s} = await answer.json();
      beat = setInterval(() => post("/claim"), heartbeat_s * 1000);
      document.querySelectorAll("[data-needs-claim]").forEach((el) => { el.disabled = false; });
      if (root.dataset.live === "true") connect();
      else status.textContent = "no live view for this task";
      return;
    }
    const {error} = await answer.json();
    say(error, true);
  }

  // The picture and the input are the shared live-view script's (runtime/static/screen.js).
  const screen = LiveScreen(canvas, {
    open: () => { status.textContent = "live"; },
    error: (text) => say(text, true),
    close: (e) => {
      status.textContent = "disconnected";
      if (e.code !== 4410) return;  // closed elsewhere: resolved by someone else, timed out, cancelled
      clearInterval(beat);
      document.querySelectorAll("[data-needs-claim]").forEach((el) => { el.disabled = true; });
      say("This request is closed: it was resolved elsewhere, timed out, or the task was cancelled.", true);
    },
  });
  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    screen.connect(scheme + location.host + "/api/v1/interventions/" + id + "/live");
  }

  async function finish(path, body, done) {
    const answer = await post(path, body);
    const data = await answer.json();
    if (!answer.ok) { say(data.error, true); return; }
    clearInterval(beat);
    screen.close();
    status.textContent = "disconnected";
    document.querySelectorAll("[data-needs-claim]").forEach((el) => { el.disabled = true; });
    say(done + " " + (data.message || ""), false);
  }
  document.getElementById("resolve").addEventListener("click", () => {
    const answers = {};
    document.querySelectorAll("[data-question]").forEach((el) => { if (el.value.trim()) answers[el.dataset.question] = el.value; });
    finish("/resolve", {answers}, "Resolved.");
  });
  document.getElementById("fail").addEventListener("click", () => {
    const why = document.getElementById("why").value.trim();
    if (!why) { say("Say why the task cannot go on.", true); return; }
    finish("/fail", {why}, "The task was ended.");
  });
  window.addEventListener("beforeunload", () => { navigator.sendBeacon && post("/release"); });
  // The time left, counted down; under a minute it turns red.
  const left = document.getElementById("time-left");
  const tick = () => {
    const s = Math.max(0, Math.round((new Date(left.dataset.deadline) - Date.now()) / 1000));
    left.textContent = Math.floor(s / 60) + " min " + String(s % 60).padStart(2, "0") + " s";
    left.classList.toggle("soon", s < 60);
  };
  tick();
  setInterval(tick, 1000);
  claim();
})();
