"""Small real PDF and DOCX files of made-up people, written from scratch for the tests."""

import io

import docx

RESUME_LINES = (
    "Maren Okafor",
    "Oakland, CA",
    "maren.okafor@example.org | +1 415 555 0134",
    "https://www.linkedin.com/in/maren-okafor-example | https://github.com/maren-okafor-example",
    "Experience",
    "Senior Data Engineer at Northwind Analytics, 2019 - present",
    "Data Engineer at Contoso Retail, 2016 - 2019",
    "Education",
    "University of Example, 2012 - 2016",
    "B.S. Computer Science",
)


def pdf(lines: tuple[str, ...] = RESUME_LINES) -> bytes:
    """A one-page PDF with one line of Helvetica text per line, with a correct cross-reference table."""
    text = "\n".join(f"({_escape(line)}) Tj T*" for line in lines)
    stream = f"BT /F1 11 Tf 14 TL 50 780 Td\n{text}\nET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def word(lines: tuple[str, ...] = RESUME_LINES) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
