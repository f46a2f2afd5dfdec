"""Fields inside open shadow roots, nested ones too, and custom elements that are form controls:
read with the label and required mark their host carries, and filled so the form sees the value."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from forms.decide import decide
from forms.fill import fill_step
from forms.platforms import GENERIC
from forms.read import read_settled
from tests.forms.support import profile

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="package")]

PAGE = """<!doctype html><html><body>
<form id=apply>
  <span id=lvl-label>Your level of English *</span>
  <x-level name=english aria-labelledby=lvl-label options="Basic|Fluent|Native"></x-level>
  <x-card><span slot=title>Links</span></x-card>
  <x-pick name=move options="Yes|No"></x-pick>
  <button type=submit>Submit application</button>
</form>
<script>
  // A form-associated element whose choice is drawn (role=radio items, no inputs) in its shadow root.
  class Level extends HTMLElement {
    static formAssociated = true;
    constructor() { super(); this.internals = this.attachInternals(); }
    connectedCallback() {
      const root = this.attachShadow({ mode: "open" });
      const group = document.createElement("div");
      group.setAttribute("role", "radiogroup");
      for (const option of this.getAttribute("options").split("|")) {
        const item = document.createElement("div");
        item.setAttribute("role", "radio");
        item.setAttribute("aria-checked", "false");
        item.textContent = option;
        item.addEventListener("click", () => {
          group.querySelectorAll("[role=radio]").forEach((r) => r.setAttribute("aria-checked", String(r === item)));
          this.internals.setFormValue(option);
        });
        group.appendChild(item);
      }
      root.appendChild(group);
    }
  }
  // A standalone listbox labelled inside its own shadow root.
  class Pick extends HTMLElement {
    static formAssociated = true;
    constructor() { super(); this.internals = this.attachInternals(); }
    connectedCallback() {
      const root = this.attachShadow({ mode: "open" });
      root.innerHTML = '<p id=q>Are you willing to relocate?</p><div role=listbox aria-labelledby=q></div>';
      const box = root.querySelector("[role=listbox]");
      for (const option of this.getAttribute("options").split("|")) {
        const item = document.createElement("div");
        item.setAttribute("role", "option");
        item.textContent = option;
        item.addEventListener("click", () => {
          box.querySelectorAll("[role=option]").forEach((o) => o.setAttribute("aria-selected", String(o === item)));
          this.internals.setFormValue(option);
        });
        box.appendChild(item);
      }
    }
  }
  // A field two shadow roots deep, labelled and marked required on the inner host.
  class Card extends HTMLElement {
    connectedCallback() {
      this.attachShadow({ mode: "open" }).innerHTML =
        '<slot name=title></slot><x-field aria-label="LinkedIn profile" required></x-field>';
    }
  }
  class Field extends HTMLElement {
    connectedCallback() { this.attachShadow({ mode: "open" }).innerHTML = "<input type=url>"; }
  }
  customElements.define("x-level", Level);
  customElements.define("x-pick", Pick);
  customElements.define("x-field", Field);
  customElements.define("x-card", Card);
</script></body></html>"""
ANSWERED = """
  "Your level of English": "Fluent"
preferences:
  relocation: false
"""


async def test_shadow_fields_are_read_with_their_hosts_labels_and_marks(browser: Browser) -> None:
    page = await browser.new_page()
    await page.set_content(PAGE)
    records = await read_settled(page, 3.0)
    await page.close()
    asked = {r.label: r for r, _ in decide(records, profile(), GENERIC)}
    level = asked["Your level of English"]
    assert level.widget == "listbox" and level.required and level.in_shadow
    assert [o.label for o in level.options] == ["Basic", "Fluent", "Native"]
    linkedin = asked["LinkedIn profile"]
    assert linkedin.required and linkedin.in_shadow and linkedin.label_source == "host"
    assert asked["Are you willing to relocate?"].widget == "listbox"


async def test_shadow_fields_are_filled_and_reach_the_form(browser: Browser) -> None:
    page = await browser.new_page()
    await page.set_content(PAGE)
    step = await fill_step(page, profile(ANSWERED), GENERIC)
    sent = await page.evaluate("() => Object.fromEntries(new FormData(document.getElementById('apply')))")
    typed = await page.locator("x-card x-field input").input_value()  # CSS pierces open shadow roots
    await page.close()
    assert not step.blocking, step.blocking
    assert sent == {"english": "Fluent", "move": "No"}
    assert typed == "https://www.linkedin.com/in/maren-ol-example"
    done = {f.record.label: f.outcome for f in step.filled}
    assert done["Your level of English"] == "filled" and done["Are you willing to relocate?"] == "filled"


async def test_an_unanswered_required_shadow_field_blocks_the_step(browser: Browser) -> None:
    page = await browser.new_page()
    await page.set_content(PAGE)
    step = await fill_step(page, profile(), GENERIC)
    await page.close()
    assert "Your level of English" in step.blocking
