# Shared helpers for the card's test_phase7_*.sh scripts (source it, don't run it).
# Each script starts its own Sightline (`python -m engine serve`: private Valkey,
# workers, API) on a free port with the variables it needs, and stops it on exit.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY=python3
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
SAMPLE="$ROOT/dev-samples/sales_demo.csv"
WORK="$(mktemp -d -t sightline-script.XXXXXX)"
FAILS=0
SERVER_PID=""
BASE=""
SERVER_LOG=""

ok()   { printf '  \xe2\x9c\x93 %s\n' "$1"; }
bad()  { printf '  \xe2\x9c\x97 %s\n' "$1"; FAILS=$((FAILS + 1)); }
check() { # check "description" command...
  local what="$1"; shift
  if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}
free_port() { "$PY" -c 'from engine.supervisor.valkey import free_port; print(free_port())'; }

# start_server [VAR=value ...]: serve with these variables; sets BASE and SERVER_LOG.
start_server() {
  stop_server
  local port; port="$(free_port)"
  local dir="$WORK/server-$port"; mkdir -p "$dir"
  SERVER_LOG="$dir/server.log"
  BASE="http://127.0.0.1:$port"
  (cd "$dir" && exec env -u REDIS_URL -u OPENROUTER_API_KEY -u LLM_API_KEY \
      PORT="$port" API_URL="$BASE" EMBEDDED_REDIS_PORT="$(free_port)" DATA_DIR="$dir/data" UPLOAD_DIR="$dir/tmp_uploads" \
      RESULTS_DIR="$dir/results" WORKERS="${WORKERS:-2}" API_PROCESSES=1 \
      LLM_BASE_URL="${LLM_BASE_URL:-http://127.0.0.1:9/v1}" "$@" \
      "$PY" -m engine serve) >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  local deadline=$((SECONDS + 60))
  until [ "$(curl -s "$BASE/api/health" | json_get workers 2>/dev/null)" -ge "${WORKERS:-2}" ] 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null || [ $SECONDS -gt $deadline ]; then
      echo "server did not start; log:"; tail -40 "$SERVER_LOG"; exit 1
    fi
    sleep 0.2
  done
  echo "  (Sightline on $BASE, log $SERVER_LOG)"
}

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null
  fi
  SERVER_PID=""
}

finish() {
  stop_server
  [ -n "${EXTRA_PID:-}" ] && kill "$EXTRA_PID" 2>/dev/null
  if [ "$FAILS" -eq 0 ]; then echo "All checks passed."; rm -rf "$WORK"; else echo "$FAILS check(s) failed (files kept in $WORK)."; fi
}
trap finish EXIT

json_get() { # json_get key[.key...] < json
  "$PY" -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v=v[int(k)] if isinstance(v,list) else v.get(k)
print("" if v is None else (json.dumps(v) if isinstance(v,(dict,list)) else v))' "$1"
}

upload() { # upload FILE -> job id
  curl -s -X POST "$BASE/api/upload" -F "file=@$1" | json_get jobId
}
job_status() { curl -s "$BASE/api/job-status/$1"; }
field() { job_status "$1" | json_get "$2"; }

# wait_status JOB "completed|failed" SECONDS: poll until the status matches.
wait_status() {
  local deadline=$((SECONDS + $3)) s
  while :; do
    s="$(field "$1" status)"
    [[ "$s" =~ ^($2)$ ]] && { echo "$s"; return 0; }
    [ $SECONDS -gt $deadline ] && { echo "$s"; return 1; }
    sleep 0.1
  done
}
wait_until() { # wait_until SECONDS command...: poll the command until it succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -gt $deadline ] && return 1; sleep 0.2; done
}
log_has() { grep -qF -- "$1" "$SERVER_LOG"; }
wait_log() { # wait_log "text" SECONDS
  local deadline=$((SECONDS + $2))
  until log_has "$1"; do [ $SECONDS -gt $deadline ] && return 1; sleep 0.1; done
}
result_file() { local url; url="$(field "$1" resultUrl)"; echo "${url#file://}"; }
