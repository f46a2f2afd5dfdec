"""A resume parser of the kind Lever and Ashby run on upload: it reads the file's text and guesses the
candidate's name, email, phone, current company and location, whatever was typed before."""

import re
import zlib

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"\+?\d[\d ()\-.]{6,}\d")
LOCATION_RE = re.compile(r"^[A-Z][\w .'-]+, [A-Z][\w .'-]+(?:, [A-Z][\w .'-]+)?$")
PDF_TEXT_RE = re.compile(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj")
STREAM_RE = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
MAX_LINES = 400  # a resume, not a book


def _unescape(text: str) -> str:
    return text.replace("\\(", "(").replace("\\)", ")")


def _pdf_lines(data: bytes) -> list[str]:
    chunks = [data]
    for stream in STREAM_RE.findall(data):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            continue
    found = [_unescape(m.decode("latin-1")) for c in chunks for m in PDF_TEXT_RE.findall(c)]
    return list(dict.fromkeys(found))  # a page's text seen raw and inflated counts once


def text_lines(data: bytes, filename: str) -> list[str]:
    if data.startswith(b"%PDF") or filename.lower().endswith(".pdf"):
        lines = _pdf_lines(data)
    else:
        lines = data.decode("utf-8", errors="replace").splitlines()
    return [line.strip() for line in lines[:MAX_LINES] if line.strip()]


def parse(data: bytes, filename: str) -> dict[str, str]:
    """What the parser believes; every key is present, empty where it found nothing."""
    lines = text_lines(data, filename)
    email = next((m.group(0) for line in lines if (m := EMAIL_RE.search(line))), "")
    phone = next((m.group(0).strip() for line in lines if "@" not in line and (m := PHONE_RE.search(line))), "")
    location = next((line for line in lines if LOCATION_RE.match(line)), "")
    name = lines[0].split(" - ")[0].strip() if lines else ""
    rest = [line for line in lines[1:] if line not in (email, phone, location) and not EMAIL_RE.search(line)]
    org = next((line.split(":", 1)[1].strip() for line in rest if line.lower().startswith("company:")), "")
    return {"name": name, "email": email, "phone": phone, "org": org, "location": location}
