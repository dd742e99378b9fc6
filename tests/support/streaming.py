"""A multipart/form-data upload body made on the fly, for uploads far larger than memory.

`requests` sends an object with `__iter__` and `__len__` as a streamed body with
a Content-Length, so the client holds one chunk at a time.
"""

from __future__ import annotations

from collections.abc import Iterator

BOUNDARY = "sightline-test-boundary-7f3a"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


class StreamedCsvForm:
    """A form with one `file` part: a CSV header, then `size` bytes of rows in total."""

    def __init__(self, size: int, name: str = "big.csv", chunk: int = 1024 * 1024) -> None:
        self.size = size
        self.chunk = chunk
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        row = b"2024-01-15,North,Widget,12,19.99\n"
        self.block = row * (chunk // len(row))

    def __len__(self) -> int:
        return len(self.head) + self.size + len(self.tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self.head
        header = b"date,region,product,units,price\n"
        yield header
        remaining = self.size - len(header)
        while remaining > 0:
            piece = self.block[:remaining]
            remaining -= len(piece)
            yield piece
        yield self.tail
