"""A multipart/form-data body read as it arrives, its file part handed out as a stream.

Flask's `request.files` first writes every file to a temporary file (in memory
up to 500 KB, then on local disk). Uploads instead go straight from the socket
into storage: `FormStream` walks the body with werkzeug's sans-IO decoder, and
`file_stream()` is a read-only stream of one file part's bytes, so storage can
copy it to disk or send it to S3 part by part. Text fields (a `goal`, say) are
kept in `fields` as they pass, before or after the file, each bounded by
MAX_FORM_MEMORY_SIZE; the whole body is bounded by MAX_CONTENT_LENGTH (werkzeug
raises 413 past it).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.sansio.multipart import Data, Epilogue, Event, Field, File, MultipartDecoder, NeedData

_READ_CHUNK = 64 * 1024
MAX_PARTS = 1000


class FormError(ValueError):
    """The body is not well-formed multipart/form-data."""


class FormStream:
    """Events of one multipart body, pulled from `stream` as they are needed."""

    def __init__(self, stream: IO[bytes], boundary: str, max_field_bytes: int) -> None:
        self.stream = stream
        self.decoder = MultipartDecoder(boundary.encode("latin-1"), max_parts=MAX_PARTS)
        self.max_field_bytes = max_field_bytes
        self.events = self._events()
        self.done = False
        self.fields: dict[str, str] = {}
        self._field: str | None = None
        self._field_data = bytearray()

    def _events(self) -> Iterator[Event]:
        while True:
            try:
                event = self.decoder.next_event()
            except ValueError as exc:
                raise FormError(str(exc)) from exc
            if isinstance(event, NeedData):
                data = self.stream.read(_READ_CHUNK)
                self.decoder.receive_data(data or None)  # None: the body has ended
                continue
            yield event
            if isinstance(event, Epilogue):
                self.done = True
                return

    def next_file(self) -> File | None:
        """Skip to the next file part (its data not yet read); None at the end of the body."""
        for event in self.events:
            if isinstance(event, File):
                return event
            self._keep_field(event)
        return None

    def _keep_field(self, event: Event) -> None:
        """Collect a text field's data into `fields` (UTF-8), bounded per field."""
        if isinstance(event, Field):
            self._field = event.name
            self._field_data.clear()
        elif isinstance(event, Data) and self._field is not None:
            self._field_data += event.data
            if len(self._field_data) > self.max_field_bytes:
                raise RequestEntityTooLarge()
            if not event.more_data:
                self.fields[self._field] = self._field_data.decode("utf-8", errors="replace")
                self._field = None

    def skip_part(self) -> None:
        """Read past the current part's data."""
        for event in self.events:
            if isinstance(event, Data) and not event.more_data:
                return

    def file_stream(self) -> _PartStream:
        """The current file part's bytes as a stream (read it to its end before going on)."""
        return _PartStream(self)

    def drain(self) -> None:
        """Read the body to its end (so the connection can be reused); text fields are kept."""
        for event in self.events:
            if isinstance(event, File):
                self._field = None  # a second file is read past, not kept
            else:
                self._keep_field(event)


class _PartStream(io.RawIOBase):
    """Read-only, not seekable: the data of one file part, chunk by chunk."""

    def __init__(self, form: FormStream) -> None:
        self.form = form
        self.buffer = b""
        self.ended = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(_READ_CHUNK), b""))
        while not self.buffer and not self.ended:
            event = next(self.form.events, None)
            if not isinstance(event, Data):
                raise FormError("the form ended inside a file part")
            self.buffer = event.data
            self.ended = not event.more_data
        taken, self.buffer = self.buffer[:size], self.buffer[size:]
        return taken

    def readinto(self, target: memoryview) -> int:  # type: ignore[override]
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)
