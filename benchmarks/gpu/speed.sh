#!/usr/bin/env bash
# Issue 17 on the GPU machine. Expected run time: about 5 minutes (three converts of ViT-224 at builder level 1
# with a shared timing cache: FP32+FP16 engines with a dynamic batch, FP16-only engines of batch 1 and of batch 16,
# ~1.5 min; five bench runs of 2 s per point, ~2 min; the batcher on ONNX Runtime CPU (16 cores) and on TensorRT,
# ~1 min). Every step has a timeout, so the whole stays under 6 minutes. QS=1 adds the quickstart (+2 min).
# Run from the repository root there, after the kit of ../shared/gpu/README.md is installed:
#   bash benchmarks/gpu/speed.sh
# What it measures, in one run, on the ViT of benchmarks/tensorrt-h200-2026-12-01.md (vit224_legacy_op17):
#   - Java-side overhead = wall - GPU time (CUDA events: H2D + compute + D2H), median per call, at batch 1 and 16,
#     FP32 and FP16 engines, "before" (io=heap: float[] tensors staged into the context's pinned buffers, the app
#     API's path) and "after" (io=direct: tensors in the session's pinned pool through runInto, no staging copy);
#   - CUDA graphs off/on on fixed-shape FP16 engines (batch 1:1:1 and 16:16:16), both IO paths;
#   - the dynamic batcher against hand-made full batches of 16 on ONNX Runtime CPU and on TensorRT.
# Prints RESULT lines a table is made from:
#   RESULT overhead engine=dyn|b1|b16 variant=... batch=N io=heap|direct graphs=off|on p50_ms p90_ms p99_ms
#          rows_per_s h2d_ms compute_ms d2h_ms gpu_ms overhead_ms overhead_pct
#   RESULT batcher variant=... backend=... max_batch=16 clients=32 ... ratio_median cpu_ratio_median lost ratios=[...]
# Results go to $OUT: speed.log (everything printed), bench-{dyn,b1,b1g,b16,b16g}.json, batcher.txt.
set -uo pipefail
W=/tmp/jedge-speed
source benchmarks/gpu/kit.sh
FX=.gpu/app/fixtures
MODEL=$FX/vit224_legacy_op17/model.onnx
begin speed
BUDGET=${BUDGET:-345} # seconds for everything below; a step gets what is left, or is skipped with a line saying so

echo "== convert: FP32 and FP16 engines with a dynamic batch (1:16:16), FP16 engines of fixed batch 1 and 16 (CUDA graphs)"
for e in dyn:fp32,fp16:1:16:16 b1:fp16:1:1:1 b16:fp16:16:16:16; do
  name=${e%%:*}; rest=${e#*:}; prec=${rest%%:*}; range=${rest#*:}
  t=$(tmo 120) || continue
  timeout $t jedge convert "$MODEL" -o $W/$name.bundle --precision $prec --attention keep --profile tensorrt \
    --engines tensorrt --engine-batch $range --engine-opt-level 1 --no-tf32 --validation-inputs 4 --timing-cache $W/trt.cache \
    2>&1 | grep -E "trt|engine|error|Error" | tail -4
done
echo "convert done after $((SECONDS - T0)) s"

bench() { # NAME BUNDLE VARIANTS BATCHES [--cuda-graphs]
  local name=$1 b=$2 v=$3 batches=$4; shift 4
  local t; t=$(tmo 90) || return
  timeout $t jedge bench $W/$b.bundle --variants $v --batch $batches --io heap,direct --seconds 2 --no-record --json "$@" \
    > "$OUT/bench-$name.json" 2> $W/bench-$name.err || { echo "bench $name failed:"; tail -5 $W/bench-$name.err; }
}
echo "== bench: heap (float[]) vs direct IO, CUDA graphs off/on"
bench dyn dyn fp32-vanilla-trt,fp16-vanilla-trt 1,16
bench b1 b1 fp16-vanilla-trt 1
bench b1g b1 fp16-vanilla-trt 1 --cuda-graphs
bench b16 b16 fp16-vanilla-trt 16
bench b16g b16 fp16-vanilla-trt 16 --cuda-graphs
echo "bench done after $((SECONDS - T0)) s"
LD_LIBRARY_PATH= python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
for name, graphs in (("dyn", "off"), ("b1", "off"), ("b1g", "on"), ("b16", "off"), ("b16g", "on")):
    p = os.path.join(out, "bench-%s.json" % name)
    try:
        rows = json.load(open(p))["results"]
    except Exception as e:
        print("RESULT overhead engine=%s missing (%s)" % (name, e)); continue
    for r in rows:
        s = r.get("split") or {}
        f = lambda k: "%.4f" % s[k] if k in s else "na"
        print("RESULT overhead engine=%s variant=%s batch=%d io=%s graphs=%s p50_ms=%.4f p90_ms=%.4f p99_ms=%.4f rows_per_s=%.1f "
              "h2d_ms=%s compute_ms=%s d2h_ms=%s gpu_ms=%s overhead_ms=%s overhead_pct=%s" % (
              name.rstrip("g") if name != "dyn" else "dyn", r["variant"], r["batch"], r["io"].lower(), graphs, r["p50Ms"],
              r["p90Ms"], r["p99Ms"], r["throughputPerSec"], f("h2dMs"), f("computeMs"), f("d2hMs"), f("gpuMs"),
              f("overheadMs"), f("overheadPct")))
PY

echo "== batcher vs hand-made full batches of 16 ($(nproc) cores): ONNX Runtime CPU, then TensorRT"
{ t=$(tmo 50) && timeout $t jedge bench $W/dyn.bundle --variants fp32-vanilla --batcher 16 --rounds 5 --seconds 0.5
  t=$(tmo 30) && timeout $t jedge bench $W/dyn.bundle --variants fp32-vanilla-trt --batcher 16 --rounds 5 --seconds 0.5; } 2>&1 \
  | grep -v "^INFO\|SLF4J" | tee "$OUT/batcher.txt"

if [ "${QS:-0}" = 1 ]; then
  echo "== quickstart: warmed sequential vs concurrent async, same image"
  timeout 150 jedge quickstart -o $W/qs --seconds 0.5 2>&1 | grep -E "warmed|best throughput|fastest"
fi
echo "total $((SECONDS - T0)) s"
