// The cookie banner's button that refuses what is not needed (reject all, necessary only), stamped so
// the filler can click it as a person would; null where the page shows no banner or no such button.
(() => {
  const BANNER = /cookie|consent-?(banner|manager|modal|dialog)|onetrust|cookiebot|usercentrics|didomi|truste|\bcmp\b|cc-window|gdpr-banner/i;
  const REFUSE = /^(reject( all)?( cookies)?|decline( all)?|deny( all)?|refuse( all)?|(only|use) (necessary|essential)( cookies)?( only)?|(necessary|essential) (cookies )?only|continue without accepting)$/i;
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const named = (el) => [el.id, el.getAttribute("class"), el.getAttribute("aria-label"), el.getAttribute("aria-labelledby")].join(" ");
  for (const button of document.querySelectorAll("button, [role=button], a[href='#'], input[type=button]")) {
    const text = (button.textContent || button.value || "").replace(/\s+/g, " ").trim();
    if (!REFUSE.test(text) || !shown(button)) continue;
    for (let node = button.parentElement, depth = 0; node && depth < 8; node = node.parentElement, depth++) {
      if (node.matches("form, main, body")) break;
      if (BANNER.test(named(node))) {
        button.setAttribute("data-autoapply-consent", "1");
        return text;
      }
    }
  }
  return null;
})()
