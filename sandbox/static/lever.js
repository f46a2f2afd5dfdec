// Lever apply page: the resume button, whose upload is parsed and overwrites what was typed, and the
// "Current location" autocomplete, which suggests on key presses and clears unchosen text on blur.
// Listeners sit on the document from <head>, so the form works from the moment it is drawn.
(() => {
  "use strict";
  let timer = 0;
  let seq = 0;
  const $ = (selector) => document.querySelector(selector);

  const choose = (place) => {
    $("#location-input").value = place.name;
    $("#selected-location").value = JSON.stringify(place);
    $(".location-dropdown").hidden = true;
  };

  const show = (places) => {
    const results = $(".location-dropdown .dropdown-results");
    results.textContent = "";
    places.forEach((place) => {
      const el = document.createElement("div");
      el.className = "dropdown-location";
      el.setAttribute("role", "option");
      el.textContent = place.name;
      el.addEventListener("mousedown", (e) => { e.preventDefault(); choose(place); });
      results.appendChild(el);
    });
    if (!places.length) {
      results.innerHTML = '<div class="dropdown-no-results">No location found. Try entering a different location</div>';
    }
    $(".location-dropdown").hidden = false;
  };

  const search = (input) => {
    const chosen = $("#selected-location").value;
    if (chosen && JSON.parse(chosen).name === input.value) return;
    $("#selected-location").value = "";
    clearTimeout(timer);
    const text = input.value.trim();
    if (!text) { $(".location-dropdown").hidden = true; return; }
    const mine = ++seq;
    timer = setTimeout(async () => {
      const resp = await fetch(`/lever/searchLocations?text=${encodeURIComponent(text)}`);
      const places = await resp.json();
      if (mine === seq) show(places);
    }, 150);
  };

  document.addEventListener("click", (e) => {
    if (!e.target.closest(".visible-resume-upload")) return;
    e.preventDefault();
    $("#resume-upload-input").click();
  });
  // As on Lever, the resume goes to the parser at once; what it reads replaces what was typed, and the
  // chosen location is dropped, so fill after the upload, not before.
  const parsed = (fields) => {
    ["name", "email", "phone", "org"].forEach((key) => {
      const input = document.querySelector(`#application-form input[name="${key}"]`);
      if (input && fields[key]) input.value = fields[key];
    });
    $("#location-input").value = fields.location || "";
    $("#selected-location").value = "";
  };

  const upload = async (input) => {
    const name = input.files.length ? input.files[0].name : "";
    $(".visible-resume-upload .filename").textContent = name;
    $(".resume-upload-success").hidden = true;
    if (!name) return;
    $(".resume-upload-parsing").hidden = false;
    const body = new FormData();
    body.append("resume", input.files[0]);
    const resp = await fetch("/lever/parseResume", { method: "POST", body });
    $(".resume-upload-parsing").hidden = true;
    if (resp.ok) parsed(await resp.json());
    $(".resume-upload-success").hidden = false;
  };

  document.addEventListener("change", (e) => { if (e.target.id === "resume-upload-input") upload(e.target); });
  // With hCaptcha on the page the first submit only asks it for a pass (or its challenge); the form
  // goes once the response is in its textareas.
  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (form.id !== "application-form" || !window.hcaptcha || form.dataset.hcaptchaPassed === "1") return;
    e.preventDefault();
    window.hcaptcha.execute({ async: true }).then(() => {
      form.dataset.hcaptchaPassed = "1";
      form.requestSubmit();
    });
  });
  document.addEventListener("keyup", (e) => {
    if (e.target.id !== "location-input" || ["Tab", "Shift", "Escape"].includes(e.key)) return;
    search(e.target);
  });
  document.addEventListener("focusout", (e) => {
    if (e.target.id !== "location-input") return;
    $(".location-dropdown").hidden = true;
    if (!$("#selected-location").value) e.target.value = "";
  });
})();
