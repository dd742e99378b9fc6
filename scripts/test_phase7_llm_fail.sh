#!/usr/bin/env bash
# LLM failure and fallback: an invalid key still gives a completed job with
# fallback insights; repeated failures open the shared circuit breaker, which
# then makes no call; after the cooldown one probe closes it again.
# The provider is a local OpenAI-compatible stand-in that answers 401 to a bad
# key, as OpenRouter does (nothing here reaches the internet).
source "$(dirname "$0")/lib.sh"
echo "Phase 7: LLM failure and fallback"
LLM_PORT=$(free_port)
"$PY" -m tests.fakes.llm_server --port "$LLM_PORT" --mode good --require-key sk-valid >"$WORK/llm.log" 2>&1 &
EXTRA_PID=$!
LLM="http://127.0.0.1:$LLM_PORT"
until curl -s "$LLM/_control/stats" >/dev/null; do sleep 0.1; done
llm_calls() { curl -s "$LLM/_control/stats" | json_get requests; }
circuit_is() { test "$(curl -s "$BASE/api/health" | json_get llmCircuit.state)" = "$1"; }

LLM_BASE_URL="$LLM/v1" start_server OPENROUTER_API_KEY=invalid_key LLM_CIRCUIT_COOLDOWN=4

J=$(upload "$SAMPLE")
check "job completes despite the invalid key" wait_status "$J" completed 30
RES=$(result_file "$J")
check "narrative is the fallback" test "$(json_get narrative.source < "$RES")" = fallback
check "issues carry llm_failure_fallback" grep -q '"llm_failure_fallback"' "$RES"
check "fallback reason is llm_error:http_401" test "$(json_get narrative.reason < "$RES")" = "llm_error:http_401"
check "fallback still has insights and a summary" test -n "$(json_get narrative.summary.0 < "$RES")"
check "log: LLM call (deepseek/deepseek-r1): Attempt 1/2" log_has "LLM call (deepseek/deepseek-r1): Attempt 1/2"
check "401 is not retried (no Attempt 2/2)" bash -c "! grep -qF 'Attempt 2/2' '$SERVER_LOG'"
check "the key never reaches the log" bash -c "! grep -qF invalid_key '$SERVER_LOG'"

for _ in 2 3 4 5; do wait_status "$(upload "$SAMPLE")" completed 30 >/dev/null; done
check "log: Circuit breaker OPENING: 5 failures within 300s window (threshold: 5)" \
  log_has "Circuit breaker OPENING: 5 failures within 300s window (threshold: 5)"
BEFORE=$(llm_calls)
J=$(upload "$SAMPLE")
check "job completes while the circuit is open" wait_status "$J" completed 30
check "reason is circuit_open" test "$(json_get narrative.reason < "$(result_file "$J")")" = circuit_open
check "log: Circuit breaker is OPEN. Using fallback." log_has "Circuit breaker is OPEN. Using fallback."
check "no call reached the provider while open" test "$(llm_calls)" = "$BEFORE"
check "/api/health shows the circuit open" circuit_is open

echo "  -- the key is fixed on the provider side; after the cooldown one probe decides"
curl -s -X POST "$LLM/_control" -H 'Content-Type: application/json' -d '{"requireKey": "invalid_key"}' >/dev/null
check "after LLM_CIRCUIT_COOLDOWN the circuit lets one probe through (half_open)" wait_until 10 circuit_is half_open
J=$(upload "$SAMPLE")
check "probe job completes" wait_status "$J" completed 30
check "log: Circuit breaker cooldown complete. Closing circuit." log_has "Circuit breaker cooldown complete. Closing circuit."
check "narrative now comes from the LLM" test "$(json_get narrative.source < "$(result_file "$J")")" = llm
exit $((FAILS > 0))
