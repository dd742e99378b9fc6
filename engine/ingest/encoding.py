"""Text encoding detection: BOMs, UTF-16 without a BOM, UTF-8, then cp1252 / latin-1.

UTF-8 is tried first because a valid UTF-8 sample is almost never anything else;
charset-normalizer is consulted only for the rest, on a bounded sample.
"""

from __future__ import annotations

import codecs


def detect_encoding(head: bytes) -> str:
    """The Python codec name to decode a text file starting with `head`."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    utf16 = _utf16_without_bom(head)
    if utf16:
        return utf16
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut by the sample's end
            return "utf-8"
    from charset_normalizer import from_bytes  # deferred: most files are UTF-8 and never need it

    best = from_bytes(head[:65536], cp_isolation=["cp1252", "latin_1", "utf_16", "mac_roman"]).best()
    name = best.encoding if best is not None else "cp1252"
    if name in ("ascii", "latin_1", "iso8859_1", "windows_1252"):
        name = "cp1252"
    try:
        head.decode(name)
    except UnicodeDecodeError:
        return "latin-1"  # decodes every byte; cp1252 has five holes
    return name.replace("_", "-")


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text of mostly-ASCII content has a NUL in every other byte."""
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_nul = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def display_name(codec: str) -> str:
    """The encoding as reported in fileInfo (utf-8, utf-8-sig, utf-16, cp1252, latin-1)."""
    return {"utf-16-le": "utf-16le", "utf-16-be": "utf-16be"}.get(codec, codec)
