// Inside the CAPTCHA frame: toggle tiles, send the picks for checking, hand the token to the page.
// Listeners sit on the document from <head>, so the tiles work from the moment they are drawn.
(() => {
  "use strict";
  const verify = async () => {
    const tiles = [...document.querySelectorAll(".captcha-tile")];
    const picks = tiles.filter((t) => t.getAttribute("aria-pressed") === "true").map((t) => Number(t.dataset.n));
    const challenge = document.getElementById("captcha-challenge").value;
    const resp = await fetch("/_captcha/verify", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ challenge, picks }),
    });
    const data = await resp.json();
    if (!data.success) { window.location.replace("/_captcha/frame?retry=1"); return; }
    document.getElementById("captcha-box").hidden = true;
    document.getElementById("captcha-done").hidden = false;
    window.parent.postMessage({ type: "sbx-captcha", token: data.token }, window.location.origin);
  };

  document.addEventListener("click", (e) => {
    const tile = e.target.closest(".captcha-tile");
    if (tile) {
      const on = tile.getAttribute("aria-pressed") !== "true";
      tile.setAttribute("aria-pressed", String(on));
      tile.classList.toggle("is-selected", on);
    } else if (e.target.closest("#captcha-reload")) {
      window.location.replace("/_captcha/frame");
    } else if (e.target.closest("#captcha-verify")) {
      verify();
    }
  });
})();
