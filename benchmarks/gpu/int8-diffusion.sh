#!/usr/bin/env bash
# Issue 13, INT8 part, on the GPU machine. Expected run time: about 4 minutes for DiT-S/2 (the default, PRESETS=s):
# convert's CPU work (4 seeded 25-step FP32 generations recorded for calibration, the validation loop, the FP16 and
# INT8 fidelity reports: ~40 s at 256 tokens on 16 cores), then 5 engine builds at builder level 1 with a timing cache
# (FP32/FP16/INT8 denoisers, FP32/FP16 decoders: ~2 min), then three 25-step guided generations (~30 s).
# PRESETS="s b" adds DiT-B/2 (about as long again; run it as a second call with PRESETS=b). Every step has a
# timeout inside a 345 s budget, so the figures measured so far come back even when a step runs long.
# Run from the repository root there, after the kit of ../shared/gpu/README.md is installed:
#   bash benchmarks/gpu/int8-diffusion.sh
# What it checks and measures, per preset (seeded DiT at latent 32 = 256 tokens, 10 classes; TAESD decoder):
#   - convert --precision fp32,fp16,int8 --profile tensorrt --engines tensorrt: the INT8 (QDQ) denoiser goes through
#     the same engine stage as every variant; its lines (calibration, predicted-noise cosine, "written" or "left
#     out", "engine built") are printed;
#   - generate with every step on fp32-vanilla-trt, fp16-vanilla-trt and int8-vanilla-trt (25 steps, guidance 4, so
#     each denoiser call is one batch-2 engine call): the per-step lines and the seconds per image and per step.
# Prints RESULT lines a table is made from:
#   RESULT preset=s variant=int8-vanilla-trt s_per_image=... median_s_per_step_2_to_25=... ran_on=VARIANT@BACKEND
#   (from generate's step lines and its last line; step 1 is left out of the median: it opens the engine)
# Seeded weights: the fidelity figures here only show the path works; fidelity is measured on the trained digits DiT
# (benchmarks/int8-diffusion-trained-digits-cpu-2026-12-03.md). Results go to $OUT: int8-diffusion.log, convert-*.txt.
set -uo pipefail
W=/tmp/jedge-int8-diffusion
source benchmarks/gpu/kit.sh
begin int8-diffusion
BUDGET=${BUDGET:-345}

for preset in ${PRESETS:-s}; do
  t=$(tmo 60) || break
  timeout $t jedge build-model dit --preset $preset --latent 32 --classes 10 --seed 3 -o $W/dit-$preset.onnx 2>&1 | tail -2
  t=$(tmo 60) || break
  timeout $t jedge build-model vae-decoder --latent 32 --seed 4 -o $W/taesd.onnx 2>&1 | tail -2
  echo "== DiT-$preset/2 latent 32: convert fp32,fp16,int8 with TensorRT engines"
  t=$(tmo 240) || break
  timeout $t jedge convert $W/dit-$preset.onnx --decoder $W/taesd.onnx --task latent-diffusion --precision fp32,fp16,int8 \
    --profile tensorrt --batch 1:2:2 --engines tensorrt --engine-batch 1:2:2 --workspace 8192 --engine-opt-level ${LEVEL:-1} \
    --timing-cache $W/trt.cache -o $W/dit-$preset.bundle > "$OUT/convert-$preset.txt" 2>&1
  echo "convert exit $? after $((SECONDS - T0)) s"
  grep -vE "calibration [0-9]+/[0-9]+ inputs" "$OUT/convert-$preset.txt" | grep -E "int8|fp16-vanilla:|left out|engine|trt|error|Error" | tail -30
  for v in fp32-vanilla-trt fp16-vanilla-trt int8-vanilla-trt; do
    echo "== DiT-$preset $v every step"
    t=$(tmo 60) || break
    timeout $t jedge generate $W/dit-$preset.bundle --variant $v --class 3 --steps 25 --guidance 4 --seed 1 --elfatt-steps 0 \
      -o $W/$preset-$v.png > $W/gen.txt 2>&1
    echo "generate exit $?"
    grep -E "step +(1|2|25)/|image|variant|backend|error|Error" $W/gen.txt | tail -12
    LD_LIBRARY_PATH= python3 - "$preset" "$v" $W/gen.txt <<'EOF'
import re, statistics, sys
text = open(sys.argv[3]).read()
img = re.findall(r"image\(s\) in ([0-9.]+) s", text)
steps = [float(s) for n, s in re.findall(r"step +([0-9]+)/[0-9]+ .*? ([0-9.]+) s/step", text) if int(n) > 1]
ran = re.findall(r"s/step .* ([^ ]+@[^ ]+)$", text, re.M)
print(f"RESULT preset={sys.argv[1]} variant={sys.argv[2]} s_per_image={img[-1] if img else 'n/a'}"
      f" median_s_per_step_2_to_25={statistics.median(steps) if steps else 'n/a'} ran_on={ran[-1] if ran else 'n/a'}")
EOF
  done
done
echo "done after $((SECONDS - T0)) s"
