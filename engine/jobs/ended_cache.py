"""A small per-process cache of ended jobs' records.

A terminal record never changes again (the transition table makes terminal
states absorbing), so status reads of finished jobs need not go to Redis each
time. Entries live at most `ttl_s`, so a record that expires in Redis is
forgotten here soon after; the cache holds at most `size` records.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any


class EndedJobCache:
    def __init__(self, size: int = 10_000, ttl_s: float = 300.0) -> None:
        self.size = size
        self.ttl_s = ttl_s
        self._items: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            item = self._items.get(job_id)
            if item is None:
                return None
            stored_at, record = item
            if time.monotonic() - stored_at > self.ttl_s:
                del self._items[job_id]
                return None
            self._items.move_to_end(job_id)
            return record

    def put(self, job_id: str, record: dict[str, Any]) -> None:
        with self._lock:
            self._items[job_id] = (time.monotonic(), record)
            self._items.move_to_end(job_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
