// The task's own browser, live, while it waits for the user to sign in or pass a checkpoint.
// Frames come from takeover's live view (the operators' own), through a one-minute ticket this page
// asks intake for; the user's mouse and keyboard go back as the same messages the operator page sends.
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
  const ctx = canvas.getContext("2d");
  const WHAT = {
    wall: "The site asks you to sign in before it shows the job.",
    checkpoint: "The site asks this account for a security check that only you can pass.",
    two_step: "The site asks for your two-step verification code.",
  };
  let socket = null, size = { width: 1280, height: 900 }, showing = null;

  const say = (text, bad) => { notice.textContent = text; notice.className = "notice" + (bad ? " bad" : " good"); notice.hidden = !text; };

  function show(d) {
    const w = d.waiting;
    if (!w || w.kind !== "sign_in") {
      if (showing && socket) socket.close();
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
    if (socket) socket.close();
    status.textContent = "connecting…";
    const answer = await api("POST", `/api/v1/tasks/${taskId}/live-view`);
    if (!answer.ok) { status.textContent = "not connected"; say(why(answer.body), true); again.hidden = false; return; }
    socket = new WebSocket(answer.body.url);
    socket.binaryType = "blob";
    socket.onopen = () => { status.textContent = "live"; };
    socket.onclose = (e) => {
      status.textContent = "disconnected";
      if (e.code === 4410) { say("This wait is over: the application went on (or was ended).", false); return; }
      if (!section.hidden && !done.disabled) again.hidden = false;
    };
    socket.onmessage = async (message) => {
      if (typeof message.data === "string") {
        const data = JSON.parse(message.data);
        if (data.frame) size = data.frame;
        if (data.error) say(data.error, true);
        return;
      }
      const image = await createImageBitmap(message.data);
      if (canvas.width !== image.width || canvas.height !== image.height) { canvas.width = image.width; canvas.height = image.height; }
      ctx.drawImage(image, 0, 0);
      canvas.dataset.frames = String(Number(canvas.dataset.frames || 0) + 1);
    };
  }

  const send = (event) => { if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(event)); };
  function point(e) {
    const box = canvas.getBoundingClientRect();
    return { x: (e.clientX - box.left) * size.width / box.width, y: (e.clientY - box.top) * size.height / box.height };
  }
  const buttons = ["left", "middle", "right"];
  canvas.addEventListener("mousedown", (e) => { canvas.focus(); send({ type: "mousePressed", button: buttons[e.button] || "left", clickCount: e.detail || 1, ...point(e) }); e.preventDefault(); });
  canvas.addEventListener("mouseup", (e) => send({ type: "mouseReleased", button: buttons[e.button] || "left", clickCount: e.detail || 1, ...point(e) }));
  canvas.addEventListener("mousemove", (e) => send({ type: "mouseMoved", ...point(e) }));
  canvas.addEventListener("wheel", (e) => { send({ type: "mouseWheel", deltaX: e.deltaX, deltaY: e.deltaY, ...point(e) }); e.preventDefault(); }, { passive: false });
  canvas.addEventListener("contextmenu", (e) => e.preventDefault());
  canvas.addEventListener("keydown", (e) => {
    const text = e.key.length === 1 ? e.key : (e.key === "Enter" ? "\r" : undefined);
    send({ type: "keyDown", key: e.key, code: e.code, keyCode: e.keyCode, text });
    e.preventDefault();
  });
  canvas.addEventListener("keyup", (e) => { send({ type: "keyUp", key: e.key, code: e.code, keyCode: e.keyCode }); e.preventDefault(); });

  again.addEventListener("click", connect);
  done.addEventListener("click", async () => {
    const answer = await api("POST", `/api/v1/tasks/${taskId}/signed-in`);
    if (!answer.ok) { say(why(answer.body), true); return; }
    done.disabled = true;
    if (socket) socket.close();
    say("Thank you: the application goes on from here, and the site keeps you signed in for the next ones.", false);
    toast("Signed in");
  });

  AA.signIn = show;
  if (AA.lastTask) show(AA.lastTask);
})();
