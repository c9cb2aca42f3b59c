#!/usr/bin/env bash
# Issue 18: vanilla vs ELFATT on TensorRT FP16, all ratios from one run. Expected run time: ~5 minutes
# on one H200 (six models, builder opt level 1, shared timing cache). Run from the repository root on
# the GPU machine after the kit is installed, like run-trt.sh:  bash benchmarks/gpu/elfatt.sh   (ONLY=vit|hier: one pair)
# Every model is written with --softmax-form decomposed: the default com.microsoft form is ONNX Runtime's, which TensorRT cannot parse.
# Prints per model: ONNX node count, TensorRT network layers, engine activation (context) memory MiB,
# GPU p50 ms per batch; then the ELFATT/vanilla speedups. Raw TrtProof JSON goes to $OUT (6 files).
set -uo pipefail
W=/tmp/jedge-elfatt
source benchmarks/gpu/kit.sh
proof() { "$GPU_JAVA" $GPU_JAVA_OPTS -Xmx24g -cp "$PWD/.gpu/app/*:$GPU_CLASSPATH" io.jedge.cli.convert.TrtProof "$@"; }
machine

# name | build-model arguments | batches
models=(
  "vit197-van|vit --preset tiny --heads 6 --image-size 224 --seed 3|1"
  "vit197-elf|vit --preset tiny --heads 6 --image-size 224 --seed 3 --attention elfatt --blocks windows:14 --softmax-form decomposed|1"
  "vit4097-van|vit --preset tiny --heads 6 --image-size 1024 --seed 3|1"
  "vit4097-elf|vit --preset tiny --heads 6 --image-size 1024 --seed 3 --attention elfatt --blocks windows:16 --softmax-form decomposed|1"
  "hier-van|hier --preset cswin-t --attention vanilla --softmax-form decomposed --seed 3|1,128"
  "hier-elf|hier --preset cswin-t --attention hybrid --softmax-form decomposed --seed 3|1,128"
)
for spec in "${models[@]}"; do
  IFS='|' read -r name args batches <<<"$spec"
  case "$name" in ${ONLY:-*}*) ;; *) continue ;; esac # ONLY=hier measures the hierarchical pair alone
  t0=$(date +%s)
  # shellcheck disable=SC2086
  nodes=$(jedge build-model $args -o $W/$name.onnx 2>&1 | tail -1 | grep -oE '[0-9,]+ nodes' | tr -d ', nodes')
  # a TensorRT-profile bundle holds the FP16 ONNX that a strongly typed FP16 engine is built from
  jedge convert $W/$name.onnx -o $W/$name.bundle --precision fp16 --profile tensorrt --validation-inputs 1 2>&1 | grep -E "error|variant" | tail -3
  fp16=$(LD_LIBRARY_PATH= python3 -c "import json,sys; b=json.load(open(sys.argv[1])); print(next(v['file'] for v in b['variants'] if v['id'].startswith('fp16')))" $W/$name.bundle/bundle.json)
  proof "$W/$name.onnx" "fp16:$W/$name.bundle/$fp16" "$batches" "$OUT/$name.json" runs=30 warmup=5 level=1 workspace=${WS:-8192} \
    cache=$W/trt.cache engines=$W 2>&1 | grep -E "parsed .* layers|rror" | tail -3
  LD_LIBRARY_PATH= python3 - "${nodes:-?}" "$OUT/$name.json" "$name" "$(( $(date +%s) - t0 ))" <<'PY'
import json, sys
nodes = sys.argv[1]  # as build-model reports it
r = json.load(open(sys.argv[2]))
for e in r.get("engines", []):
    if "error" in e or "skipped" in e:
        print(sys.argv[3], "FAILED:", e.get("error") or e.get("skipped")); continue
    t = {x["batch"]: x["gpu_ms_p50"] for x in e.get("timing", [])}
    print("RESULT %s onnx_nodes=%s trt_network_layers=%s activation_mib=%.1f gpu_ms_p50=%s (%ss)" % (
        sys.argv[3], nodes, e.get("layers"), e["gpu_memory"].get("context_activation_mib", -1), json.dumps(t), sys.argv[4]))
PY
done
LD_LIBRARY_PATH= python3 - "$OUT" <<'PY'
import json, sys, os
def times(n):
    p = os.path.join(sys.argv[1], n + ".json")
    if not os.path.exists(p): return {}
    e = [x for x in json.load(open(p)).get("engines", []) if "timing" in x]
    return {t["batch"]: t["gpu_ms_p50"] for t in e[0]["timing"]} if e else {}
targets = {("vit197", 1): 1.0, ("vit4097", 1): 3.0, ("hier", 1): 1.0, ("hier", 128): 2.5}
for (m, b), goal in targets.items():
    v, f = times(m + "-van").get(b), times(m + "-elf").get(b)
    if v and f:
        print("SPEEDUP %s batch %d: vanilla %.3f ms, ELFATT %.3f ms -> %.2fx (target >= %.1fx: %s)" % (m, b, v, f, v / f, goal, "met" if v / f >= goal else "MISSED"))
    else:
        print("SPEEDUP %s batch %d: missing figures" % (m, b))
PY
