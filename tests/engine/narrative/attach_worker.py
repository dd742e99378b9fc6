"""One stand-in worker process: runs attach_narrative on the sample document N times.

Settings come from the environment, as in a real worker. Prints one JSON line per
call (`source`, `reason`) on stdout; log lines go to stderr. With `--clock-offset`
the circuit breaker sees a clock moved forward, so a test can pass the cooldown
without waiting for it.

    python -m tests.engine.narrative.attach_worker --redis-url URL --calls 3 [--clock-offset 601]
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import sys
import time

import redis

from engine.config import Settings
from engine.narrative import NarrativeService, attach_narrative
from engine.resilience.circuit import CircuitBreaker
from tests.engine.narrative.sample_doc import RESULT_DOC


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--calls", type=int, default=1)
    parser.add_argument("--clock-offset", type=float, default=0.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
    settings = Settings()
    client = redis.Redis.from_url(args.redis_url)
    for _ in range(args.calls):
        doc = copy.deepcopy(RESULT_DOC)
        if args.clock_offset:
            breaker = CircuitBreaker(client, settings, clock=lambda: time.time() + args.clock_offset)
            NarrativeService(settings=settings, redis=client, breaker=breaker).attach(doc)
        else:
            attach_narrative(doc, settings=settings, redis=client)
        narrative = doc["narrative"]
        print(json.dumps({"source": narrative["source"], "reason": narrative.get("reason")}), flush=True)
    client.close()


if __name__ == "__main__":
    main()
