#!/usr/bin/env bash
# Float16 model IO on both backends (the ONNX Runtime float16-input bug of session 8), proven on the GPU machine.
# Expected run time: about 1 minute on one H200 (a ViT micro at 224 px, one FP16 engine with float16 inputs and outputs
# at builder level 1 with batch 1:4:4, about 30 s; 10 timed runs per batch and feed memory). Every step has a timeout
# inside a 150 s budget, so the whole stays under 3 minutes.
# Run from the repository root there, after the kit of ../shared/gpu/README.md is installed:
#   bash benchmarks/gpu/ortfp16.sh
# What it proves: `TrtProof ... fp16io` converts the model to FP16 with float16 inputs and outputs (keepIoFp32 off) and
# builds an engine from it; the same FP16 model is then opened on ONNX Runtime CPU (half_io_both_backends). Both are fed
# the same float32 heap and direct tensors (converted by backend.Staging on each), both return the float16 output from
# run() as float32, and both compare with ONNX Runtime on the FP32 model (FP16 tolerance: cosine >= 0.999) and with each
# other. runInto into a float16 tensor must equal run() on each backend (cosine 1, max_abs 0), and a float32 runInto
# tensor must be refused by both with the same line (same_refusal=true).
# Prints the lines a table is made from:
#   ENGINE inputs=[x:float16] outputs=[y:float16]
#   HALFIO backend=ort-cpu io=heap|direct run_type= min_cosine_vs_ort_fp32= max_abs_vs_ort_fp32= cosine_vs_tensorrt= max_abs_vs_tensorrt= pass=
#   HALFIO backend=tensorrt io=heap|direct min_cosine_vs_ort_fp32= max_abs_vs_ort_fp32= pass=
#   RUNINTO backend=ort-cpu|tensorrt float16_vs_run_cosine= float16_vs_run_max_abs= float32_tensor="the line it gives"
#   RUNINTO same_refusal=true|false
# Results go to $OUT: ortfp16.log (everything printed) and ortfp16.json (TrtProof's raw JSON).
set -uo pipefail
W=${W:-/tmp/jedge-ortfp16}
source benchmarks/gpu/kit.sh
begin ortfp16
BUDGET=${BUDGET:-150}
micro_vit

t=$(tmo 120) && timeout $t java_tool io.jedge.cli.convert.TrtProof $W/vit fp16io 1,4 "$OUT/ortfp16.json" runs=10 warmup=5 \
  level=1 io=both cache=$W/trt.cache engines=$W 2>&1 | grep -E "rror|Exception" | tail -12
LD_LIBRARY_PATH= python3 - "$OUT/ortfp16.json" <<'PY'
import json, os, sys
p = sys.argv[1]
if not os.path.exists(p):
    print("RESULT ortfp16 missing (TrtProof wrote nothing)"); sys.exit()
r = json.load(open(p))
print("ORT_FP32", json.dumps(r.get("ort_cpu")))
if "error" in r:
    print("RESULT ortfp16 FAILED:", r["error"]); sys.exit()
for e in r.get("engines", []):
    if "timing" not in e:
        print("RESULT ortfp16 FAILED: %s" % (e.get("error") or e.get("skipped"))); continue
    print("ENGINE inputs=%s outputs=%s build_s=%s" % (e.get("engine_inputs"), e.get("engine_outputs"), e.get("build_s")))
    for k in ("accuracy", "accuracy_direct"):
        v = (e.get(k) or {}).get("vs_ort_fp32") or {}
        print("HALFIO backend=tensorrt io=%s min_cosine_vs_ort_fp32=%s max_abs_vs_ort_fp32=%s pass=%s" % (
            (e.get(k) or {}).get("io"), v.get("min_cosine"), v.get("max_abs"), (e.get(k) or {}).get("pass")))
    h = e.get("half_io_both_backends") or {}
    if "error" in h:
        print("RESULT ortfp16 FAILED on ONNX Runtime: %s" % h["error"])
    print("ORT_IO inputs=%s outputs=%s" % (h.get("ort_inputs"), h.get("ort_outputs")))
    for io in ("heap", "direct"):
        a = h.get("ort_" + io) or {}
        v = a.get("vs_ort_fp32") or {}
        t = a.get("vs_tensorrt") or {}
        print("HALFIO backend=ort-cpu io=%s run_type=%s min_cosine_vs_ort_fp32=%s max_abs_vs_ort_fp32=%s cosine_vs_tensorrt=%s max_abs_vs_tensorrt=%s pass=%s" % (
            io, json.dumps(a.get("run_type")), v.get("min_cosine"), v.get("max_abs"), t.get("cosine"), t.get("max_abs"), a.get("pass")))
    ri = h.get("run_into") or {}
    for b in ("ort-cpu", "tensorrt"):
        c = ri.get(b + "_runinto_vs_run") or {}
        print("RUNINTO backend=%s float16_vs_run_cosine=%s float16_vs_run_max_abs=%s float32_tensor=%s" % (
            b, c.get("cosine"), c.get("max_abs"), json.dumps(ri.get(b + "_float32_runinto"))))
    print("RUNINTO same_refusal=%s" % ri.get("same_refusal"))
PY
echo "total $((SECONDS - T0)) s"
