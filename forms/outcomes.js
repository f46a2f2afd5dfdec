// What stops a form, as a person sees it: a visible CAPTCHA challenge, an emailed code or link, a login
// wall, a closed job, an earlier application, a job whose application is on another site. An invisible CAPTCHA (a badge or a hidden frame) is nothing.
(() => {
  const found = [];
  // A challenge already solved leaves its token in the page: nothing is waiting for anyone then.
  const solved = [...document.querySelectorAll("[name=g-recaptcha-response],[name=h-captcha-response],[name=cf-turnstile-response],[data-captcha-response]")]
    .some((el) => (el.value || "").trim().length > 0);
  const shown = (el) => {
    if (!el || (el.checkVisibility && !el.checkVisibility({ opacityProperty: true, visibilityProperty: true }))) return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && r.bottom > -100 && r.right > -100;
  };
  for (const frame of document.querySelectorAll("iframe")) {
    const src = frame.getAttribute("src") || "";
    if (!/captcha|challenges\.cloudflare|arkoselabs|funcaptcha/i.test(src + " " + (frame.title || ""))) continue;
    if (solved || /size=invisible/.test(src) || frame.closest(".grecaptcha-badge")) continue;
    const r = frame.getBoundingClientRect();
    if (shown(frame) && r.width >= 100 && r.height >= 60) { found.push({ kind: "captcha", detail: src.split("?")[0].slice(0, 120) }); break; }
  }
  const text = (document.body ? document.body.innerText : "").replace(/\s+/g, " ");
  const says = (re) => { const m = text.match(re); return m ? m[0].slice(0, 120) : ""; };
  const codeBox = [...document.querySelectorAll("input")].find((i) => shown(i) && /security[-_]?(input|code)|verification[-_]?code|one[-_]?time|otp/i.test(i.id + " " + (i.name || "") + " " + (i.autocomplete || "")));
  const codeText = says(/(enter|type|paste) the (\d+-character |verification |security )?code|verification code (was|has been) sent|security code/i);
  if (codeBox || (codeText && [...document.querySelectorAll("input")].some(shown))) found.push({ kind: "email_code", detail: codeText || "code input" });
  const link = says(/verify your (e-?mail|account)|check your (e-?mail|inbox)|we('ve| have) sent (you )?an? (e-?mail|link|verification)|verification (e-?mail|link)|activate your account/i);
  if (link && !codeBox) found.push({ kind: "email_link", detail: link });
  const password = [...document.querySelectorAll("input[type=password]")].some(shown);
  const signIn = says(/sign in|log in|login|create (an |your )?account/i);
  if (password && signIn) found.push({ kind: "login_wall", detail: signIn });
  const closed = says(/no longer accepting applications|(job|position|posting|role) (is |has been )?(no longer available|closed|filled|expired)|this job (is )?closed|not accepting applications/i);
  if (closed) found.push({ kind: "closed", detail: closed });
  const applied = says(/already applied|you (have|'ve) (already )?applied|application (was |has been )?already (submitted|received)|already submitted an application|applied \d+ \w+ ago/i);
  if (applied) found.push({ kind: "already_applied", detail: applied });
  // "Apply on company website": the job is applied to elsewhere, the page has no form of its own.
  const outside = [...document.querySelectorAll("a, button, [role=link], [role=button]")].find((el) => shown(el)
    && /apply\b.{0,80}\b(on|at|via) (the )?(company|employer|external|partner)('?s)? ?(web)?(site|page|careers)/i
      .test(`${el.getAttribute("aria-label") || ""} ${el.textContent || ""}`));
  const fields = [...document.querySelectorAll("input[type=file], input[type=email], input[type=tel], textarea")].some(shown);
  if (outside && !fields) {
    const where = outside.getAttribute("data-external-url") || outside.getAttribute("href") || "";
    found.push({ kind: "external_apply", detail: where.slice(0, 200) });
  }
  return found;
})()
