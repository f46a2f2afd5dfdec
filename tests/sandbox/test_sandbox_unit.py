"""Pure parts of the sandbox: import boundary, catalog, flags, CAPTCHA checking, validation rules."""

import ast
import re
from pathlib import Path

import pytest

from sandbox.captcha import SHAPES, CaptchaBook, render_tile
from sandbox.flags import FlagError, FlagStore, JobFlags, flag_query, parse_overrides
from sandbox.gate import email_ok, phone_ok
from sandbox.jobs import JOBS_PER_SITE, SITES, Catalog

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[2]
PRODUCT = ("services", "contracts", "runtime", "autoapply")


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_sandbox_imports_nothing_of_the_product() -> None:
    files = sorted((REPO / "sandbox").rglob("*.py"))
    assert len(files) > 10
    crossings = {str(f.relative_to(REPO)): sorted(imported_roots(f) & set(PRODUCT)) for f in files}
    assert {f: roots for f, roots in crossings.items() if roots} == {}


def test_the_product_does_not_import_the_sandbox() -> None:
    files = [f for package in PRODUCT for f in (REPO / package).rglob("*.py")]
    assert [str(f.relative_to(REPO)) for f in files if "sandbox" in imported_roots(f)] == []


def test_sandbox_pages_load_nothing_from_outside() -> None:
    found = []
    for path in (REPO / "sandbox").rglob("*"):
        if path.suffix in (".py", ".js", ".css", ".html"):
            found += [f"{path.name}: {u}" for u in re.findall(r"https?://[a-z0-9][^\s\"'<>]*", path.read_text())]
    assert found == []


def test_catalog_is_deterministic_and_large() -> None:
    one, two = Catalog(7), Catalog(7)
    assert [j.as_json() for j in one.all()] == [j.as_json() for j in two.all()]
    assert [j.job_id for j in Catalog(8).site("greenhouse")] != [j.job_id for j in one.site("greenhouse")]
    for site in SITES:
        jobs = one.site(site)
        assert len(jobs) == JOBS_PER_SITE >= 12
        assert len({j.job_id for j in jobs}) == len(jobs)
        assert len({j.title for j in jobs}) >= 6 and len({j.company for j in jobs}) >= 1


def test_jobs_of_one_platform_vary_questions_layout_and_option_order() -> None:
    jobs = Catalog(7).site("greenhouse")
    assert len({tuple(q.key for q in j.questions) for j in jobs}) > 6
    assert len({j.layout for j in jobs}) > 1
    hear = {tuple(q.options) for j in jobs for q in j.questions if q.key == "hear_about"}
    assert len(hear) > 1


def test_flags_merge_catalog_admin_then_query() -> None:
    store = FlagStore()
    base = JobFlags(captcha=True)
    store.set("lever", "x", parse_overrides({"closed": True, "delay_ms": 50}, strict=True))
    merged = store.effective(base, "lever", "x", {"captcha": "0", "applied": "A@Example.com, b@example.com"})
    assert merged == JobFlags(captcha=False, closed=True, delay_ms=50, applied=("a@example.com", "b@example.com"))
    assert flag_query({"captcha": "1", "utm": "x"}) == "?captcha=1"


@pytest.mark.parametrize("raw", [{"captcha": "maybe"}, {"delay_ms": -1}, {"phone_format": "loose"}, {"nope": 1}])
def test_bad_flags_are_refused(raw: dict[str, object]) -> None:
    with pytest.raises(FlagError):
        parse_overrides(raw, strict=True)


def test_captcha_answer_is_checked_server_side_and_tokens_are_single_use() -> None:
    book = CaptchaBook()
    wrong = book.new()
    assert book.check(wrong.id, [n for n in range(9) if n not in wrong.answer]) is None
    assert book.check(wrong.id, wrong.answer) is None  # a challenge is used up by any attempt
    right = book.new()
    token = book.check(right.id, list(reversed(right.answer)))
    assert token and book.valid(token) and book.redeem(token)
    assert not book.redeem(token) and not book.valid("forged")


def test_captcha_tiles_are_png_pixels() -> None:
    for shape in SHAPES:
        png = render_tile(shape, 1)
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and shape.encode() not in png


@pytest.mark.parametrize(
    ("value", "fmt", "ok"),
    [
        ("+1 415 555 0100", "any", True),
        ("(415) 555-0100", "any", True),
        ("call me", "any", False),
        ("12", "any", False),
        ("+14155550100", "e164", True),
        ("+1 415 555 0100", "e164", False),
    ],
)
def test_phone_rules(value: str, fmt: str, ok: bool) -> None:
    assert phone_ok(value, JobFlags(phone_format=fmt)) is ok


def test_email_rule() -> None:
    assert email_ok("ada@example.com") and not email_ok("ada@example") and not email_ok("ada example@x.com")
