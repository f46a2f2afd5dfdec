"""Resume uploads against a real intake: judged by content, size-limited, parsed, stored per user."""

from pathlib import Path

import httpx
import pytest

from tests.intake.client import Intake, new_user, upload_resume
from tests.intake.documents import pdf, word

pytestmark = pytest.mark.integration


async def test_pdf_and_docx_are_parsed_for_review(http: httpx.AsyncClient, intake: Intake) -> None:
    user = await new_user(http)
    first = await upload_resume(http, user, pdf(), "cv.pdf")
    second = await upload_resume(http, user, word(), "cv-renamed.pdf")  # the name does not decide
    assert first.status_code == second.status_code == 201, first.text
    assert first.json()["media_type"] == "application/pdf"
    assert second.json()["media_type"].endswith("wordprocessingml.document")
    parsed = first.json()["parsed"]
    assert parsed["first_name"] == "Maren" and parsed["last_name"] == "Okafor"
    assert parsed["email"] == "maren.okafor@example.org" and parsed["phone"] == "+1 415 555 0134"
    assert parsed["current_title"] == "Senior Data Engineer" and parsed["current_company"] == "Northwind Analytics"
    assert parsed["linkedin_url"].endswith("/in/maren-okafor-example") and parsed["location"] == "Oakland, CA"
    assert parsed["education"][0]["school"] == "University of Example" and parsed["years_of_experience"] >= 10
    assert second.json()["parsed"] == parsed
    listed = (await http.get("/api/v1/resumes", headers=user.auth)).json()["resumes"]
    assert [r["resume_id"] for r in listed] == [second.json()["resume_id"], first.json()["resume_id"]]
    stored = Path(intake.child.env["AUTOAPPLY_DATA_DIR"]) / "objects" / user.user_id / "resumes"
    assert sorted(p.suffix for p in stored.iterdir()) == [".docx", ".pdf"]
    assert (stored / f"{first.json()['resume_id']}.pdf").read_bytes() == pdf()


async def test_what_is_not_a_resume_is_refused(http: httpx.AsyncClient) -> None:
    user = await new_user(http)
    text = await upload_resume(http, user, b"just some text, named like a PDF", "resume.pdf")
    assert text.status_code == 415 and text.json()["error"] == "not_a_resume"
    zipped = await upload_resume(http, user, b"PK\x03\x04" + b"\0" * 100, "resume.docx")
    assert zipped.status_code == 415
    huge = await upload_resume(http, user, b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1))
    assert huge.status_code == 413
    no_file = await http.post("/api/v1/resumes", headers=user.auth, data={"other": "x"})
    assert no_file.status_code == 422 and no_file.json()["fields"][0]["field"] == "file"
    assert (await http.get("/api/v1/resumes", headers=user.auth)).json()["resumes"] == []
