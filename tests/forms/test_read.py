"""The reader on a live page: labels by the issue's order, shadow roots, same-origin frames, late renders,
and the things that are not questions (traps, CAPTCHA internals, cookie banners)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser

from forms.decide import questions
from forms.platforms import GENERIC
from forms.read import read_settled

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="package")]

PAGE = """<!doctype html><html><body>
<div id="cookie-banner" class="cookie-consent"><label><input type=checkbox id=marketing-cookies> Marketing</label></div>
<form id="application">
  <label for=first>First name *</label><input id=first required>
  <label>Surname <input name=surname></label>
  <span id=mail-label>Email address</span><input type=email name=mail aria-labelledby=mail-label>
  <input name=phone placeholder="Phone number">
  <fieldset><legend>Date of birth</legend>
    <label for=dd>Day</label><input id=dd><label for=mm>Month</label><input id=mm></fieldset>
  <fieldset><legend>Do you need sponsorship?</legend>
    <label><input type=radio name=sp value=y> Yes</label><label><input type=radio name=sp value=n> No</label></fieldset>
  <div style="position:absolute;left:-9999px"><label for=website>Website</label><input id=website name=website></div>
  <input name=trap tabindex=-1 style="opacity:0;height:1px">
  <textarea id=g-recaptcha-response name=g-recaptcha-response style="display:none"></textarea>
  <div id=host></div>
  <iframe id=inner srcdoc="<label for=city>City</label><input id=city>"></iframe>
  <button type=submit>Submit application</button>
</form>
<script>
  const root = document.getElementById('host').attachShadow({mode: 'open'});
  root.innerHTML = '<label for=pron>Pronouns</label><input id=pron>';
</script></body></html>"""


async def test_reads_labels_frames_shadow_roots_and_late_fields(browser: Browser) -> None:
    page = await browser.new_page()
    await page.set_content(PAGE)
    await page.locator("#inner").content_frame.locator("#city").wait_for()
    records = await read_settled(page, 5.0)
    await page.close()
    asked = {r.label: r for r in questions(records, GENERIC)}
    assert asked["First name"].required and asked["First name"].label_source == "label"
    assert asked["Surname"].label_source == "wrapping_label"
    assert asked["Email address"].label_source == "aria_labelledby"
    assert asked["Phone number"].label_source == "placeholder"
    assert asked["Do you need sponsorship?"].widget == "radio"
    assert [o.label for o in asked["Do you need sponsorship?"].options] == ["Yes", "No"]
    assert asked["Pronouns"].in_shadow
    assert asked["City"].frame > 0
    noise = {(r.id or r.name): r.noise for r in records if r.noise}
    assert noise["website"] == "honeypot" and noise["trap"] == "honeypot"
    assert noise["marketing-cookies"] == "cookie_banner"
    assert "g-recaptcha-response" not in asked and all("recaptcha" not in (r.id or "") for r in asked.values())


async def test_a_legend_beats_generic_part_labels(browser: Browser) -> None:
    page = await browser.new_page()
    await page.set_content(
        "<fieldset><legend>Start date</legend><input aria-label=Month id=m><input aria-label=Year id=y></fieldset>"
    )
    records = await read_settled(page, 2.0)
    await page.close()
    assert {r.label for r in records} == {"Start date"}


async def test_waits_for_a_form_drawn_late(browser: Browser) -> None:
    page = await browser.new_page()
    await page.set_content(
        "<div id=app>Loading...</div><script>setTimeout(() => { document.getElementById('app').innerHTML ="
        " '<label for=why>Why us?</label><textarea id=why></textarea><label for=e>Email</label><input id=e>'; }, 900)"
        "</script>"
    )
    records = await read_settled(page, 5.0)
    await page.close()
    assert [r.label for r in records] == ["Why us?", "Email"]
