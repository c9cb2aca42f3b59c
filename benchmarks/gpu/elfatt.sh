#!/usr/bin/env bash
# Issue 18: vanilla vs ELFATT on TensorRT FP16, all ratios from one run. Expected run time: ~5 minutes
# on one H200 (six models, builder opt level 1, shared timing cache). Run from the repository root on
# the GPU machine after the kit is installed, like run-trt.sh:  bash benchmarks/gpu/elfatt.sh   (ONLY=vit|hier: one pair)
# Every model is written with --softmax-form decomposed: the default com.microsoft form is ONNX Runtime's, which TensorRT cannot parse.
# Prints per model: ONNX node count, TensorRT network layers, engine activation (context) memory MiB,
# GPU p50 ms per batch; then the ELFATT/vanilla speedups. Raw TrtProof JSON goes to $OUT (6 files).
# PROOF="detailed=true graphs=both": keep kernel names in the plans and print what each engine runs (engine layers after
# fusion, data-movement layers, fused attention kernels; TensorRT's layer JSON to $OUT/layers/), and time every engine
# again as CUDA graphs (models timed at several batches, like the hierarchical pair, plainly only); ABLATE=1 adds two 197-token ablations (ELFATT without LePE; every head linear, no LePE) that
# say how much of ELFATT's time at 197 tokens is LePE and how much the local head; again as CUDA graphs (graphs need one fixed batch: set HIER_BATCHES=1). HIER_BATCHES: the hierarchical pair's batches.
set -uo pipefail
W=/tmp/jedge-elfatt
source benchmarks/gpu/kit.sh
proof() { "$GPU_JAVA" $GPU_JAVA_OPTS -Xmx24g -cp "$PWD/.gpu/app/*:$GPU_CLASSPATH" io.jedge.cli.convert.TrtProof "$@"; }
machine

# name | build-model arguments | batches
models=(
  "vit197-van|vit --preset tiny --heads 6 --image-size 224 --seed 3|1"
  "vit197-elf|vit --preset tiny --heads 6 --image-size 224 --seed 3 --attention elfatt --blocks windows:14 --softmax-form decomposed|1"
  ${ABLATE:+"vit197-elfnolepe|vit --preset tiny --heads 6 --image-size 224 --seed 3 --attention elfatt --blocks windows:14 --no-lepe --softmax-form decomposed|1"}
  ${ABLATE:+"vit197-linear|vit --preset tiny --heads 6 --image-size 224 --seed 3 --attention elfatt --split 1:0 --no-lepe --softmax-form decomposed|1"}
  ${MID:+"vit1025-van|vit --preset tiny --heads 6 --image-size 512 --seed 3|1"}
  ${MID:+"vit1025-elf|vit --preset tiny --heads 6 --image-size 512 --seed 3 --attention elfatt --blocks windows:16 --softmax-form decomposed|1"}
  "vit4097-van|vit --preset tiny --heads 6 --image-size 1024 --seed 3|1"
  "vit4097-elf|vit --preset tiny --heads 6 --image-size 1024 --seed 3 --attention elfatt --blocks windows:16 --softmax-form decomposed|1"
  "hier-van|hier --preset cswin-t --attention vanilla --softmax-form decomposed --seed 3|${HIER_BATCHES:-1,128}"
  "hier-elf|hier --preset cswin-t --attention hybrid --softmax-form decomposed --seed 3|${HIER_BATCHES:-1,128}"
)
# BEFORE=a.onnx[,b.onnx...]: 197-token models written elsewhere (an earlier commit's emitter, an experiment), timed in
# the same run right after vanilla, each named vit197-<file name without .onnx and a leading vit197->
before=${BEFORE:-}; befores=()
for f in ${before//,/ }; do
  b=$(basename "$f" .onnx); n=vit197-${b#vit197-}
  for spec in "${models[@]}"; do
    [[ ${spec%%|*} == "$n" ]] && { echo "BEFORE: $f would be named $n, which is taken; rename the file" >&2; exit 2; }
  done
  befores+=("$n"); models=("${models[0]}" "${models[@]:1:${#befores[@]}-1}" "$n|file:$f|1" "${models[@]:${#befores[@]}}")
done
for spec in "${models[@]}"; do
  IFS='|' read -r name args batches <<<"$spec"
  case "$name" in ${ONLY:-*}*) ;; *) continue ;; esac # ONLY=hier measures the hierarchical pair alone
  t0=$(date +%s)
  # shellcheck disable=SC2086
  if [[ $args == file:* ]]; then # a model written elsewhere (e.g. by an earlier commit's emitter, for before/after in one run)
    cp "${args#file:}" $W/$name.onnx
    nodes=$(LD_LIBRARY_PATH= python3 -c "import onnx,sys; print(len(onnx.load(sys.argv[1]).graph.node))" $W/$name.onnx)
  else
    nodes=$(jedge build-model $args -o $W/$name.onnx 2>&1 | tail -1 | grep -oE '[0-9,]+ nodes' | tr -d ', nodes')
  fi
  # a TensorRT-profile bundle holds the FP16 ONNX that a strongly typed FP16 engine is built from
  jedge convert $W/$name.onnx -o $W/$name.bundle --precision fp16 --profile tensorrt --validation-inputs 1 2>&1 | grep -E "error|variant" | tail -3
  fp16=$(LD_LIBRARY_PATH= python3 -c "import json,sys; b=json.load(open(sys.argv[1])); print(next(v['file'] for v in b['variants'] if v['id'].startswith('fp16')))" $W/$name.bundle/bundle.json)
  rm -f $W/*.layers.json
  opts=${PROOF:-}
  # CUDA graphs need one fixed batch (TrtProof refuses graphs with several): time those engines plainly only
  [[ $batches == *,* ]] && opts=$(sed -E 's/graphs=[a-z]+//' <<<"$opts")
  proof "$W/$name.onnx" "fp16:$W/$name.bundle/$fp16" "$batches" "$OUT/$name.json" runs=30 warmup=5 level=1 workspace=${WS:-8192} \
    cache=$W/trt.cache engines=$W $opts 2>&1 | grep -E "parsed .* layers|rror" | tail -3
  mkdir -p "$OUT/layers" && for f in $W/*.layers.json; do [ -f "$f" ] && cp "$f" "$OUT/layers/$name.json"; done
  LD_LIBRARY_PATH= python3 - "${nodes:-?}" "$OUT/$name.json" "$name" "$(( $(date +%s) - t0 ))" <<'PY'
import json, sys
nodes = sys.argv[1]  # as build-model reports it
r = json.load(open(sys.argv[2]))
for e in r.get("engines", []):
    if "error" in e or "skipped" in e:
        print(sys.argv[3], "FAILED:", e.get("error") or e.get("skipped")); continue
    t = {x["batch"]: x["gpu_ms_p50"] for x in e.get("timing", [])}
    g = {x["batch"]: x["gpu_ms_p50"] for x in e.get("timing_cuda_graphs", [])}
    print("RESULT %s onnx_nodes=%s trt_network_layers=%s activation_mib=%.1f gpu_ms_p50=%s graphs_gpu_ms_p50=%s (%ss)" % (
        sys.argv[3], nodes, e.get("layers"), e["gpu_memory"].get("context_activation_mib", -1), json.dumps(t), json.dumps(g),
        sys.argv[4]))
    print("ENGINE %s %s" % (sys.argv[3], json.dumps(e.get("engine_layers"))))
PY
done
LD_LIBRARY_PATH= python3 - "$OUT" "${befores[@]}" <<'PY'
import json, sys, os
def times(n, key):
    p = os.path.join(sys.argv[1], n + ".json")
    if not os.path.exists(p): return {}
    e = [x for x in json.load(open(p)).get("engines", []) if key in x]
    return {t["batch"]: t["gpu_ms_p50"] for t in e[0][key]} if e else {}
targets = {("vit197", 1): 1.0, ("vit1025", 1): None, ("vit4097", 1): 3.0, ("hier", 1): 1.0, ("hier", 128): 2.5}
for key, how in (("timing", ""), ("timing_cuda_graphs", ", CUDA graphs")):
    for (m, b), goal in targets.items():
        v, f = times(m + "-van", key).get(b), times(m + "-elf", key).get(b)
        if v and f:
            verdict = "no target" if goal is None else "target >= %.1fx: %s" % (goal, "met" if v / f >= goal else "MISSED")
            print("SPEEDUP %s batch %d%s: vanilla %.3f ms, ELFATT %.3f ms -> %.2fx (%s)" % (m, b, how, v, f, v / f, verdict))
        elif key == "timing":
            print("SPEEDUP %s batch %d: missing figures" % (m, b))
    v = times("vit197-van", key).get(1)
    for n in sys.argv[2:]:  # the BEFORE= models against the same run's vanilla
        x = times(n, key).get(1)
        if v and x:
            print("SPEEDUP %s batch 1%s: vanilla %.3f ms, %s %.3f ms -> %.2fx" % (n, how, v, n, x, v / x))
PY
