#!/usr/bin/env bash
# GRPO of a small model on a short entities stage, measured end to end: expert demonstrations,
# an SFT start policy, GRPO from it, and each lift on the same held-out seeds (paired: mean,
# bootstrap interval, exact sign-flip p, t interval): base -> SFT, then SFT -> GRPO. The command docs/train.md's GPU figures
# come from; on CPU it runs the same steps, only slower.
#
#   bash bench/grpo_smollm2.sh BASE OUT      # BASE: smollm2, a .gguf or a model folder
#
# Settings (environment): TRAIN_SEEDS (0-511), HELDOUT (1000-1039), SFT_STEPS (150), SFT_LR
# (1e-3), SFT_LAYERS (0: LoRA on every layer; 8: the top 8, what fits a CPU), SFT_ACCUMULATE (4:
# rows a step), SFT_THREADS (1), LORA_LAYERS (0: GRPO's LoRA on every layer), GRPO_STEPS (60),
# GRPO_MINUTES (4: the wall-clock cap of GRPO, the step under way finishes), GENERATIONS (8),
# GRPO_LR (1e-4), MICRO_BATCH (1: episodes per loss pass), PROCS (8: processes playing held-out
# seeds), BATCH (4: seeds a process plays in lock-step).
# Everything lands in OUT: demos.jsonl, base/ (a GGUF converted), sft/, grpo/ (rewards.json,
# report.html), start.json (the SFT lift: before = the base, after = the start policy; played
# while GRPO trains), heldout.json (the GRPO lift: before = start, after = GRPO), episodes/ (the
# greedy episodes; a rerun reads them back, so the start policy plays once) and a log per step.
set -euo pipefail

BASE=${1:?usage: $0 BASE OUT}
OUT=${2:?usage: $0 BASE OUT}
TRAIN_SEEDS=${TRAIN_SEEDS:-0-511}
HELDOUT=${HELDOUT:-1000-1039}
SFT_STEPS=${SFT_STEPS:-150}
SFT_LR=${SFT_LR:-1e-3}
SFT_LAYERS=${SFT_LAYERS:-0}
SFT_ACCUMULATE=${SFT_ACCUMULATE:-4}
SFT_THREADS=${SFT_THREADS:-1}
LORA_LAYERS=${LORA_LAYERS:-0}
GRPO_STEPS=${GRPO_STEPS:-60}
GRPO_MINUTES=${GRPO_MINUTES:-4}
GENERATIONS=${GENERATIONS:-8}
GRPO_LR=${GRPO_LR:-1e-4}
MICRO_BATCH=${MICRO_BATCH:-1}
PROCS=${PROCS:-8}
BATCH=${BATCH:-4}
# 6 entities in key-value sheets, one correction, one update, no memos, one question: 9 events
S6=entities=6,questions=1,corrections=1,updates=1,doc_style=kv,distractor_rate=0
EPISODE=(--max-turns 10 --max-new-tokens 28)
HELD=(--params "$S6" --seeds "$HELDOUT" --max-turns 10 --max-new-tokens 28 --processes "$PROCS"
  --batch "$BATCH" --cache "$OUT/episodes")
mkdir -p "$OUT"

step() {  # step NAME COMMAND...: run it, its output in OUT/NAME.log, timed
  local name=$1
  shift
  echo "== $name: $*"
  local t0=$SECONDS
  "$@" >"$OUT/$name.log" 2>&1 || { tail -20 "$OUT/$name.log"; return 1; }
  tail -3 "$OUT/$name.log"
  echo "== $name: $((SECONDS - t0)) s"
}

start=$BASE
if [[ "$BASE" == smollm2 || "$BASE" == *.gguf ]]; then
  [ -f "$OUT/base/config.json" ] || step convert python -m memgym rm convert-base "$BASE" --out "$OUT/base"
  start=$OUT/base
fi
step demos python -m memgym train demos --out "$OUT/demos.jsonl" --seeds "$TRAIN_SEEDS" \
  --params "$S6" --max-turns 10
[ -f "$OUT/sft/model/config.json" ] || step sft python -m memgym train sft \
  --data "$OUT/demos.jsonl" --base "$start" --out "$OUT/sft" --steps "$SFT_STEPS" \
  --lr "$SFT_LR" --layers "$SFT_LAYERS" --accumulate "$SFT_ACCUMULATE" --threads "$SFT_THREADS" \
  --max-length 4096
# the SFT lift (the base against the start policy), played while GRPO trains; the greedy
# episodes are kept in the cache, so the start policy's side is read back for the GRPO lift
python -m memgym train heldout --before "$start" --after "$OUT/sft/model" "${HELD[@]}" \
  --json "$OUT/start.json" >"$OUT/start.log" 2>&1 &
start_side=$!
step grpo python -m memgym train grpo --base "$OUT/sft/model" --out "$OUT/grpo" \
  --stage "$GRPO_STEPS:$S6" --seeds "$TRAIN_SEEDS" --generations "$GENERATIONS" \
  "${EPISODE[@]}" --lr "$GRPO_LR" --max-minutes "$GRPO_MINUTES" --micro-batch "$MICRO_BATCH" \
  --lora-layers "$LORA_LAYERS"
wait "$start_side" || { tail -20 "$OUT/start.log"; exit 1; }
tail -4 "$OUT/start.log"
step heldout python -m memgym train heldout --before "$OUT/sft/model" --after "$OUT/grpo/model" \
  "${HELD[@]}" --json "$OUT/heldout.json"
cat "$OUT/heldout.log"
