"""What an uploaded resume is, judged by its bytes (never its name), and its text."""

import io
import zipfile
from dataclasses import dataclass

import docx
import pypdf
from pypdf.errors import PdfReadError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Resumes are a page or three; a bigger file is not a resume (or is a zip bomb).
MAX_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_PDF_PAGES = 20


class NotAResume(ValueError):
    """The file is not a readable PDF or DOCX; the message says what is wrong."""


@dataclass(frozen=True)
class Document:
    media_type: str
    text: str


def kind(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04") and _is_docx(data):
        return DOCX
    raise NotAResume("the file is neither a PDF nor a Word (.docx) document")


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return False
    if unzipped > MAX_UNZIPPED_BYTES:
        raise NotAResume("the document unpacks to more than a resume could hold")
    return "word/document.xml" in names and "[Content_Types].xml" in names


def read(data: bytes) -> Document:
    if len(data) > MAX_BYTES:
        raise NotAResume(f"a resume is at most {MAX_BYTES // (1024 * 1024)} MB")
    media_type = kind(data)
    try:
        text = _pdf_text(data) if media_type == PDF else _docx_text(data)
    except NotAResume:
        raise
    except (PdfReadError, ValueError, KeyError, zipfile.BadZipFile, OSError) as exc:
        name = "PDF" if media_type == PDF else "DOCX"
        raise NotAResume(f"the file could not be read as {name}: {type(exc).__name__}") from None
    return Document(media_type, text)


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise NotAResume("the PDF is password-protected")
    return "\n".join((page.extract_text() or "") for page in reader.pages[:MAX_PDF_PAGES])


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return "\n".join(lines)
