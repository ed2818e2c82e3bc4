#!/usr/bin/env bash
# The open-model table: serve each model with vLLM, run `memgym eval` on it, print one table
# (model x track, memory-isolated scores with 95 % intervals, tokens per model).
#
#   bash bench/open_model_table.sh Qwen/Qwen2.5-7B-Instruct meta-llama/Llama-3.1-8B-Instruct ...
#
# Settings (environment): PROTOCOL (standard), OUT (open-models), PORT (8000), WINDOW (32768:
# vLLM's --max-model-len and memgym's --context-window), CONCURRENCY (32), SERVER (vllm; `memgym`
# serves the scripted model instead, to check the pipeline without a GPU), TRACKS (every track of
# the protocol; e.g. "entities research codeqa dialogue swe web" where τ²-bench is not installed:
# smoke's tau2 runs from its own venv, docs/eval.md). Every model's episodes
# go to one results file with a call cache beside it, so a rerun resumes where it stopped.
set -euo pipefail

PROTOCOL=${PROTOCOL:-standard}
OUT=${OUT:-open-models}
PORT=${PORT:-8000}
WINDOW=${WINDOW:-32768}
CONCURRENCY=${CONCURRENCY:-32}
SERVER=${SERVER:-vllm}
[ "$#" -ge 1 ] || { echo "usage: $0 MODEL [MODEL ...]" >&2; exit 2; }
mkdir -p "$OUT"

serve() {  # start the server for model $1 in the background; its pid in $SERVER_PID
  if [ "$SERVER" = memgym ]; then
    python -m memgym serve --port "$PORT" >"$OUT/server.log" 2>&1 &
  else
    vllm serve "$1" --port "$PORT" --max-model-len "$WINDOW" --enable-prefix-caching \
      >"$OUT/server.log" 2>&1 &
  fi
  SERVER_PID=$!
  for _ in $(seq 600); do  # up to 10 minutes for the weights to load
    curl -sf "http://127.0.0.1:$PORT/v1/models" >/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$OUT/server.log" >&2; return 1; }
    sleep 1
  done
  echo "server for $1 not up in 600 s" >&2
  return 1
}

entries=()
for model in "$@"; do
  slug=$(echo "$model" | tr '/:' '__')
  serve "$model"
  trap 'kill "$SERVER_PID" 2>/dev/null || true' EXIT
  start=$(date +%s)
  status=0
  python -m memgym eval --model "$model" --base-url "http://127.0.0.1:$PORT/v1" \
    --protocol "$PROTOCOL" --context-window "$WINDOW" --concurrency "$CONCURRENCY" \
    ${TRACKS:+--tracks $TRACKS} --results "$OUT/results.sqlite" --cache "$OUT/calls.sqlite" --resume \
    --entry "$OUT/$slug.json" --report "$OUT/$slug.html" || status=$?
  echo "$model: exit $status, $(( $(date +%s) - start )) s" | tee -a "$OUT/times.txt"
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  [ -f "$OUT/$slug.json" ] && entries+=("$OUT/$slug.json")
done
python -m memgym eval --table "${entries[@]}" --markdown | tee "$OUT/table.md"
