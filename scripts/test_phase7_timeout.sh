#!/usr/bin/env bash
# Job timeout: JOB_TIMEOUT_SECONDS=10 against 20 s of simulated slow processing.
source "$(dirname "$0")/lib.sh"
echo "Phase 7: job timeout"
start_server JOB_TIMEOUT_SECONDS=10 SIMULATED_SLOW_PROCESSING_SECONDS=20

J=$(upload "$SAMPLE")
check "upload answers with a job id ($J)" test -n "$J"
check "job is processing" wait_status "$J" processing 10
check "job ends failed within 15 s" wait_status "$J" failed 15
S=$(job_status "$J")
check "error is 'timeout'" test "$(echo "$S" | json_get error)" = timeout
check "errorMessage names JOB_TIMEOUT_SECONDS" grep -q JOB_TIMEOUT_SECONDS <<<"$(echo "$S" | json_get errorMessage)"
LATE=$("$PY" -c 'import json,sys
from engine.clock import parse_iso
s=json.loads(sys.argv[1]); print(parse_iso(s["finishedAt"]) - parse_iso(s["timeoutAt"]))' "$S")
check "failed within 2 s of timeoutAt (${LATE}s)" "$PY" -c "import sys; sys.exit(0 if $LATE < 2 else 1)"
ERR=$(result_file "$J")
check "resultUrl points to error.json" test "$(basename "$ERR")" = error.json
check "error.json says failed/timeout" test "$(json_get error < "$ERR")/$(json_get status < "$ERR")" = timeout/failed
check "no result.json" test ! -e "$(dirname "$ERR")/result.json"
check "log: Job $J has timed out" log_has "Job $J has timed out"
check "log: Job $J timed out during parsing." log_has "Job $J timed out during parsing."
exit $((FAILS > 0))
