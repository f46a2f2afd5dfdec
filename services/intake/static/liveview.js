// The task's own browser, live, while it waits for the user to sign in or pass a checkpoint.
// Frames come from takeover's live view (the operators' own), through a one-minute ticket this page
// asks intake for; the picture and the user's mouse and keyboard are the operator page's own script
// (runtime/static/screen.js, served here at /app/shared/screen.js).
"use strict";
(() => {
  const { api, why, toast } = AA;
  const taskId = document.getElementById("task").dataset.taskId;
  const section = document.getElementById("signin");
  const canvas = document.getElementById("signin-screen");
  const status = document.getElementById("signin-status");
  const notice = document.getElementById("signin-notice");
  const done = document.getElementById("signin-done");
  const again = document.getElementById("signin-reconnect");
  const WHAT = {
    wall: "The site asks you to sign in before it shows the job.",
    checkpoint: "The site asks this account for a security check that only you can pass.",
    two_step: "The site asks for your two-step verification code.",
  };
  const RETRIES = 20;
  let showing = null, tries = 0, opened = false;

  const say = (text, bad) => { notice.textContent = text; notice.className = "notice" + (bad ? " bad" : " good"); notice.hidden = !text; };

  const screen = LiveScreen(canvas, {
    open: () => { status.textContent = "live"; opened = true; tries = 0; },
    error: (text) => say(text, true),
    close: (e) => {
      status.textContent = "disconnected";
      if (e.code === 4410) { say("This wait is over: the application went on (or was ended).", false); return; }
      // Refused at the handshake (a browser sees no reason then): most often takeover has not queued
      // the wait yet, a moment after this page heard of it; so ask again with a new ticket, a while.
      if (!opened && tries < RETRIES && !section.hidden && !done.disabled) { tries += 1; setTimeout(connect, 1000); return; }
      if (!section.hidden && !done.disabled) again.hidden = false;
    },
  });

  function show(d) {
    const w = d.waiting;
    if (!w || w.kind !== "sign_in") {
      if (showing) screen.close();
      section.hidden = true;
      showing = null;
      return;
    }
    if (showing === w.since) return;  // this wait is on screen already
    showing = w.since;
    document.getElementById("signin-reason").textContent = WHAT[w.sign_in] || w.reason;
    done.disabled = false;
    say("", false);
    section.hidden = false;
    connect();
  }

  async function connect() {
    again.hidden = true;
    screen.close();
    opened = false;
    status.textContent = "connecting…";
    const answer = await api("POST", `/api/v1/tasks/${taskId}/live-view`);
    if (!answer.ok) { status.textContent = "not connected"; say(why(answer.body), true); again.hidden = false; return; }
    screen.connect(answer.body.url);
  }

  again.addEventListener("click", connect);
  done.addEventListener("click", async () => {
    const answer = await api("POST", `/api/v1/tasks/${taskId}/signed-in`);
    if (!answer.ok) { say(why(answer.body), true); return; }
    done.disabled = true;
    screen.close();
    status.textContent = "disconnected";
    say("Thank you: the application goes on from here, and the site keeps you signed in for the next ones.", false);
    toast("Signed in");
  });

  AA.signIn = show;
  if (AA.lastTask) show(AA.lastTask);
})();
