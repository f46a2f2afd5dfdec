"""Reading a submitted form: text fields by name, and files with their size and sha256."""

from dataclasses import dataclass, field

from starlette.datastructures import UploadFile
from starlette.requests import Request

from sandbox.records import FieldValue, ReceivedFile

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # real boards cap resumes at a few MB; this only guards memory
MAX_FIELDS = 500
MAX_FIELD_BYTES = 256 * 1024  # the longest cover letter typed into a textarea


@dataclass
class Received:
    fields: dict[str, FieldValue] = field(default_factory=dict)
    files: list[ReceivedFile] = field(default_factory=list)
    blobs: dict[str, bytes] = field(default_factory=dict)  # by sha256

    def text(self, name: str) -> str:
        value = self.fields.get(name, "")
        return value if isinstance(value, str) else ", ".join(value)

    def values(self, name: str) -> list[str]:
        value = self.fields.get(name, [])
        return [value] if isinstance(value, str) else list(value)

    def file(self, name: str) -> ReceivedFile | None:
        return next((f for f in self.files if f.field == name), None)

    def add(self, name: str, value: str) -> None:
        name = name.removesuffix("[]")  # checkbox groups post "x[]"; the record keys them as "x"
        if name not in self.fields:
            self.fields[name] = value
            return
        current = self.fields[name]
        self.fields[name] = [*([current] if isinstance(current, str) else current), value]


async def read_form(request: Request) -> Received:
    """Every non-empty field and every chosen file; an empty file input sends nothing worth keeping."""
    received = Received()
    async with request.form(max_files=50, max_fields=MAX_FIELDS, max_part_size=MAX_FIELD_BYTES) as form:
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                await _add_file(received, name, value)
            elif value.strip():
                received.add(name, value)
    return received


async def _add_file(received: Received, name: str, upload: UploadFile) -> None:
    data = await upload.read()
    if not upload.filename or not data or len(data) > MAX_UPLOAD_BYTES:
        return
    info = ReceivedFile.of(name, upload.filename, upload.content_type or "application/octet-stream", data)
    received.files.append(info)
    received.blobs[info.sha256] = data
