#!/usr/bin/env bash
# Blob retries: two injected failures are retried away; failures on every attempt
# end the job as failed / blob_upload_failed with error.json.
source "$(dirname "$0")/lib.sh"
echo "Phase 7: blob storage retries"
start_server BLOB_FAULT_FAILURES=2 RETRY_INITIAL_DELAY=0.1

J=$(upload "$SAMPLE")
check "upload succeeds after retries ($J)" test -n "$J"
check "log: Save file sales_demo.csv for job $J: Attempt 1/3" log_has "Save file sales_demo.csv for job $J: Attempt 1/3"
check "log: Save file sales_demo.csv for job $J: Attempt 3/3" log_has "Save file sales_demo.csv for job $J: Attempt 3/3"
check "job completes" wait_status "$J" completed 30
check "log: Save file result.json for job $J: Attempt 3/3" log_has "Save file result.json for job $J: Attempt 3/3"
check "result.json is there" test -s "$(result_file "$J")"

echo "  -- every attempt to save the result fails"
start_server BLOB_FAULT_FAILURES=all BLOB_FAULT_OPS=result RETRY_INITIAL_DELAY=0.1
J=$(upload "$SAMPLE")
check "job ends failed" wait_status "$J" failed 30
check "error is blob_upload_failed" test "$(field "$J" error)" = blob_upload_failed
check "errorMessage says how many attempts" grep -q "3 attempts" <<<"$(field "$J" errorMessage)"
ERR=$(result_file "$J")
check "error.json written with error blob_upload_failed" test "$(json_get error < "$ERR")" = blob_upload_failed
check "no result.json" test ! -e "$(dirname "$ERR")/result.json"

echo "  -- every attempt to save the upload fails"
start_server BLOB_FAULT_FAILURES=all BLOB_FAULT_OPS=upload RETRY_INITIAL_DELAY=0.1
CODE=$(curl -s -o "$WORK/up.json" -w '%{http_code}' -X POST "$BASE/api/upload" -F "file=@$SAMPLE")
check "upload answers 503" test "$CODE" = 503
J=$(json_get jobId < "$WORK/up.json")
check "the job is failed / blob_upload_failed" test "$(field "$J" status)/$(field "$J" error)" = failed/blob_upload_failed
exit $((FAILS > 0))
