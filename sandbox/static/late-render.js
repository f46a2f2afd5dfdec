// Builds the form from its template once the job's render delay has passed, as client-rendered
// job sites do; fires "sbx-rendered" on the document when the form is in place.
(() => {
  "use strict";
  const render = () => {
    const config = JSON.parse(document.getElementById("sbx-config")?.textContent || "{}");
    setTimeout(() => {
      document.querySelectorAll("template[data-late-template]").forEach((template) => {
        const holder = template.previousElementSibling;
        const content = template.content.cloneNode(true);
        if (holder && holder.matches("[data-late-render]")) holder.replaceWith(content); else template.after(content);
        template.remove();
      });
      document.dispatchEvent(new CustomEvent("sbx-rendered"));
    }, Number(config.renderDelayMs || 0));
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render); else render();
})();
