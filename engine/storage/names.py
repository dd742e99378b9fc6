"""Turn a user-supplied file name into one that is safe to store."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
MAX_NAME_CHARS = 120


def safe_file_name(name: str | None, default: str = "upload.csv") -> str:
    """Keep the last path component, drop control and odd characters, never `.`/`..`.

    `../../etc/passwd` becomes `passwd`, `C:\\x\\a.csv` becomes `a.csv`, a name
    holding NUL loses it; an empty result falls back to `default`.
    """
    if not name:
        return default
    base = re.split(r"[\\/]", name)[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if ch.isprintable())
    base = _UNSAFE.sub("_", base).strip(" .")
    if len(base) > MAX_NAME_CHARS:
        stem, dot, ext = base.rpartition(".")
        keep = MAX_NAME_CHARS - len(ext) - 1
        base = f"{stem[:keep]}.{ext}" if dot and len(ext) <= 10 else base[:MAX_NAME_CHARS]
    return base or default
