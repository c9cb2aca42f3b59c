#!/usr/bin/env bash
# Issue 18: ELFATT vs vanilla ViT at 197 tokens, batch 1, TensorRT FP16, with and without CUDA graphs. At batch 1 both
# engines are launch-bound (ELFATT has 1901 TensorRT layers against vanilla's 1109, benchmarks/elfatt-tensorrt-h200-
# 2026-12-03.md): does replaying a captured graph, which removes the per-kernel launch cost, close the gap?
# Expected run time: about 2 minutes (two converts with a fixed-batch-1 FP16 engine at builder level 1, four benches).
#   bash benchmarks/gpu/elfatt-graphs.sh     (from the repository root, after the kit is installed)
# Prints the bench lines (p50/p90/p99 and the H2D/compute/D2H split) per model and graphs off/on, then RESULT lines.
set -uo pipefail
W=/tmp/jedge-elfatt-graphs
source benchmarks/gpu/kit.sh
begin elfatt-graphs
BUDGET=${BUDGET:-200}
for spec in "van|vanilla|" "elf|elfatt|--attention elfatt --blocks windows:14 --softmax-form decomposed"; do
  IFS="|" read -r name kind extra <<<"$spec"
  t=$(tmo 30) || break
  # shellcheck disable=SC2086
  timeout $t jedge build-model vit --preset tiny --heads 6 --image-size 224 --seed 3 $extra -o $W/$name.onnx 2>&1 | tail -1
  t=$(tmo 90) || break
  timeout $t jedge convert $W/$name.onnx -o $W/$name.bundle --precision fp16 --attention keep --profile tensorrt \
    --engines tensorrt --engine-batch 1:1:1 --engine-opt-level 1 --timing-cache $W/trt.cache 2>&1 | grep -E "trt |error" | tail -3
  for g in off on; do
    t=$(tmo 40) || break
    timeout $t jedge bench $W/$name.bundle --variants fp16-$kind-trt --batch 1 --io direct --seconds 3 --no-record --json \
      $([ $g = on ] && echo --cuda-graphs) > $W/$name-$g.json 2> $W/$name-$g.err || tail -3 $W/$name-$g.err
    LD_LIBRARY_PATH= python3 - "$W/$name-$g.json" "$name" "$g" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))["results"][0]
except Exception as e:
    print("RESULT", sys.argv[2], "graphs=" + sys.argv[3], "missing", e); sys.exit()
s = r.get("split") or {}
print("RESULT model=%s graphs=%s p50_ms=%.4f p90_ms=%.4f p99_ms=%.4f compute_ms=%s gpu_ms=%s" % (sys.argv[2], sys.argv[3],
      r["p50Ms"], r["p90Ms"], r["p99Ms"], s.get("computeMs"), s.get("gpuMs")))
PY
  done
done
echo "total $((SECONDS - T0)) s"
