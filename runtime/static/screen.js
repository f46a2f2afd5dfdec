// A task's live browser on a canvas: frames from takeover's live-view socket drawn as they come, the
// person's mouse, wheel and keyboard sent back as DevTools input messages. One script for the two
// pages that show it (the operator's, served by takeover; the job seeker's, served by intake), so
// the mapping from a click on the picture to a point on the page is fixed once for both.
"use strict";
window.LiveScreen = function (canvas, hooks) {
  const ctx = canvas.getContext("2d");
  const buttons = ["left", "middle", "right"];
  let socket = null, size = { width: 1280, height: 900 };

  const send = (event) => { if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(event)); };
  // The picture is scaled to the canvas's box; the page's own size comes with the first frame.
  function point(e) {
    const box = canvas.getBoundingClientRect();
    return { x: (e.clientX - box.left) * size.width / box.width, y: (e.clientY - box.top) * size.height / box.height };
  }
  const press = (type, e) => ({ type, button: buttons[e.button] || "left", clickCount: e.detail || 1, ...point(e) });
  canvas.addEventListener("mousedown", (e) => { canvas.focus(); send(press("mousePressed", e)); e.preventDefault(); });
  canvas.addEventListener("mouseup", (e) => send(press("mouseReleased", e)));
  canvas.addEventListener("mousemove", (e) => send({ type: "mouseMoved", ...point(e) }));
  canvas.addEventListener("wheel", (e) => { send({ type: "mouseWheel", deltaX: e.deltaX, deltaY: e.deltaY, ...point(e) }); e.preventDefault(); }, { passive: false });
  canvas.addEventListener("contextmenu", (e) => e.preventDefault());
  canvas.addEventListener("keydown", (e) => {
    // Printable keys carry their text (what the page's field receives); Enter sends a carriage return.
    const text = e.key.length === 1 ? e.key : (e.key === "Enter" ? "\r" : undefined);
    send({ type: "keyDown", key: e.key, code: e.code, keyCode: e.keyCode, text });
    e.preventDefault();
  });
  canvas.addEventListener("keyup", (e) => { send({ type: "keyUp", key: e.key, code: e.code, keyCode: e.keyCode }); e.preventDefault(); });

  async function draw(message) {
    if (typeof message.data === "string") {
      const data = JSON.parse(message.data);
      if (data.frame) size = data.frame;
      if (data.error && hooks.error) hooks.error(data.error);
      return;
    }
    const image = await createImageBitmap(message.data);
    if (canvas.width !== image.width || canvas.height !== image.height) { canvas.width = image.width; canvas.height = image.height; }
    ctx.drawImage(image, 0, 0);
    canvas.dataset.frames = String(Number(canvas.dataset.frames || 0) + 1);
  }

  // A socket the page closes itself is let go first: its close is no news to the page.
  function drop() {
    if (!socket) return;
    socket.onopen = socket.onclose = socket.onmessage = null;
    socket.close();
    socket = null;
  }

  return {
    connect(url) {
      drop();
      socket = new WebSocket(url);
      socket.binaryType = "blob";
      socket.onopen = () => { if (hooks.open) hooks.open(); };
      socket.onclose = (e) => { if (hooks.close) hooks.close(e); };
      socket.onmessage = draw;
    },
    close: drop,
  };
};
