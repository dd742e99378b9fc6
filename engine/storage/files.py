"""File storage: uploads under the upload root, documents under the results root.

The roots are UPLOAD_DIR / RESULTS_DIR, or `<path>/uploads` and `<path>/results` of
STORAGE_URL=file:///path (see Settings.upload_root). Writes go to `<name>.tmp` and
are renamed into place, so a reader sees a whole file or none; publishing a staged
document is one rename within its folder.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import IO

from engine.config import Settings
from engine.storage.base import RESULTS, UPLOADS, BlobStore, StorageHealth
from engine.storage.faults import FaultInjector
from engine.storage.stream import COPY_CHUNK, Readable, ReplayableSource


class FileBlobStore(BlobStore):
    """Uploads and job documents on the local (or a shared) file system."""

    backend = "file"

    def __init__(self, settings: Settings, faults: FaultInjector | None = None) -> None:
        super().__init__(settings, faults)
        self.upload_root = settings.upload_root.resolve()
        self.results_root = settings.results_root.resolve()
        self.url = settings.storage_url or self.results_root.as_uri()

    # --- file-only helpers (tests and tools) ---------------------------------
    def doc_path(self, job_id: str, name: str) -> Path:
        return self._path(RESULTS, job_id, name)

    def upload_path(self, job_id: str) -> Path | None:
        """The job's uploaded file, if it is there."""
        name = self._find_upload(job_id)
        return self._path(UPLOADS, job_id, name) if name else None

    def check(self) -> StorageHealth:
        for root in (self.upload_root, self.results_root):
            probe = root
            while not probe.exists() and probe != probe.parent:
                probe = probe.parent  # the folder is made on first use: its parent must allow that
            if not os.access(probe, os.W_OK | os.X_OK):
                return StorageHealth(self.backend, self.url, False, f"{probe} is not writable")
        return StorageHealth(self.backend, self.url, True)

    # --- primitives ------------------------------------------------------------
    def _path(self, area: str, job_id: str, name: str) -> Path:
        root = self.upload_root if area == UPLOADS else self.results_root
        return root / job_id / name

    def _url(self, area: str, job_id: str, name: str) -> str:
        return self._path(area, job_id, name).as_uri()

    def _save_stream(self, job_id: str, name: str, source: Readable) -> None:
        dest = self._path(UPLOADS, job_id, name)
        replay = ReplayableSource(source)

        def write() -> None:
            stream = replay.rewind()
            with _atomic_writer(dest) as out:
                shutil.copyfileobj(stream, out, COPY_CHUNK)

        self._retry("upload", f"Save file {name} for job {job_id}", job_id, name, "save", write)

    def _find_upload(self, job_id: str) -> str | None:
        folder = self.upload_root / job_id
        if not folder.is_dir():
            return None
        files = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        return files[0] if files else None

    def _fetch(self, job_id: str, name: str, scratch: Path) -> Path | None:
        path = self._path(UPLOADS, job_id, name)
        return path if path.is_file() else None  # read in place: no copy on one machine

    def _write(self, area: str, job_id: str, name: str, data: bytes) -> None:
        with _atomic_writer(self._path(area, job_id, name)) as out:
            out.write(data)

    def _read(self, area: str, job_id: str, name: str) -> bytes | None:
        try:
            return self._path(area, job_id, name).read_bytes()
        except FileNotFoundError:
            return None

    def _exists(self, area: str, job_id: str, name: str) -> bool:
        return self._path(area, job_id, name).exists()

    def _promote(self, job_id: str, name: str, staged: str) -> bool:
        final = self._path(RESULTS, job_id, name)
        try:
            os.replace(self._path(RESULTS, job_id, staged), final)
        except FileNotFoundError:
            return final.exists()  # nothing staged, or another process published it first
        return True

    def _delete(self, area: str, job_id: str, name: str) -> None:
        self._path(area, job_id, name).unlink(missing_ok=True)

    def _delete_all(self, area: str, job_id: str) -> None:
        folder = (self.upload_root if area == UPLOADS else self.results_root) / job_id
        if folder.exists():
            shutil.rmtree(folder)

    def _size(self, area: str, job_id: str, name: str) -> int | None:
        try:
            return self._path(area, job_id, name).stat().st_size
        except FileNotFoundError:
            return None

    def _is_transient(self, exc: BaseException) -> bool:
        return isinstance(exc, OSError)

    def _is_storage_error(self, exc: BaseException) -> bool:
        return isinstance(exc, OSError)


class _atomic_writer:
    """Write to a hidden temporary file, then rename over `path` only when the block succeeds.

    The temporary name is unique, so two writers of one document never share it,
    and hidden, so a half-written upload is never taken for the upload.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")

    def __enter__(self) -> IO[bytes]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.tmp, "wb")
        return self.handle

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.handle.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)
