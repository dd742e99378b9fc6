#!/usr/bin/env bash
# Job cancellation: before processing, during processing, twice, after completion.
source "$(dirname "$0")/lib.sh"
echo "Phase 7: job cancellation"
WORKERS=1 start_server SIMULATED_SLOW_PROCESSING_SECONDS=3

A=$(upload "$SAMPLE")
check "upload answers with a job id ($A)" test -n "$A"
check "job A starts processing" wait_status "$A" processing 20
B=$(upload "$SAMPLE")
check "job B waits in the queue (submitted)" test "$(field "$B" status)" = submitted
R=$(curl -s -X POST "$BASE/api/cancel?jobId=$B")
check "cancel B by query parameter -> cancelled" test "$(echo "$R" | json_get status)" = cancelled
R=$(curl -s -X POST "$BASE/api/cancel" -H "Content-Type: application/json" -d "{\"jobId\": \"$A\"}")
check "cancel A by JSON body -> cancelled with cancelledAt" test -n "$(echo "$R" | json_get cancelledAt)"
check "A's status is cancelled" test "$(field "$A" status)" = cancelled
check "log: Job $A was cancelled during parsing." wait_log "Job $A was cancelled during parsing." 10
check "log: Job $B was cancelled before processing. Skipping." wait_log "Job $B was cancelled before processing. Skipping." 15
R=$(curl -s -X POST "$BASE/api/cancel?jobId=$A")
check "cancel A again -> 'Job was already cancelled'" test "$(echo "$R" | json_get message)" = "Job was already cancelled"
check "no result.json for cancelled A" test ! -e "$(dirname "$(result_file "$A")")/result.json"
check "no result.json for cancelled B" test ! -e "$(dirname "$(result_file "$B")")/result.json"

C=$(upload "$SAMPLE")
check "job C completes" wait_status "$C" completed 30
CODE=$(curl -s -o "$WORK/c.json" -w '%{http_code}' -X POST "$BASE/api/cancel?jobId=$C")
check "cancel completed C -> 409" test "$CODE" = 409
check "409 body: Cannot cancel job with status 'completed'" \
  test "$(json_get error < "$WORK/c.json")" = "Cannot cancel job with status 'completed'"
CODE=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$BASE/api/cancel?jobId=job_doesnotexist0000")
check "cancel unknown job -> 404" test "$CODE" = 404
exit $((FAILS > 0))
