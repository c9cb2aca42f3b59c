#!/usr/bin/env bash
# Issue 13: DiT-S/2 and DiT-B/2 at 64x64 latents (4096 tokens) on TensorRT, 25 steps, CFG (batch 2).
# Expected run time: about 6 minutes on one H200 for DiT-S alone (the default, PRESETS=s): engine builds at opt
# level 1 with a timing cache and convert's CPU fidelity runs at 4096 tokens dominate. PRESETS="s b" adds DiT-B
# (about as long again; run it as a second call). Every convert and generate has a time limit, so the figures
# measured so far come back even when a step runs long (worst case about 8.5 minutes).
#   bash benchmarks/gpu/dit.sh            (from the repository root, after the TensorRT/Java kit is installed)
# Prints, per model and variant: the generate log (seconds per image and per denoising step) and the peak GPU
# memory sampled by nvidia-smi every 100 ms during that generation. Raw logs go to $OUT (at most 8 files).
# Risk: convert measures ELFATT-SD fidelity on ONNX Runtime CPU at 4096 tokens; if DiT-B pushes past 6 min, run PRESETS=s.
# Two bundles per model: vanilla + ELFATT-SD, and vanilla + ToMe 0.5 + ELFATT-SD+ToMe (so each convert stays short).
# Rows: vanilla FP32/FP16 engines every step; ELFATT-SD for 20% and 100% of the steps; ToMe 0.5 and ELFATT-SD+ToMe
# (FP16 engines) for every step. The lines to read: "peak GPU memory used", and generate's per-step lines and its
# last lines (seconds per image, per step, which variant ran on which backend).
set -uo pipefail
eval "$(bash .gpu/tools/remote.sh env)"
if [ -f .gpu/jre/jre.tar.xz ]; then mkdir -p /tmp/jre-d && tar xJf .gpu/jre/jre.tar.xz -C /tmp; fi
# the jre may have been unpacked by an earlier call of this lease (tree + app + jre exceed one call)
[ -x /tmp/jre-d/bin/java ] && GPU_JAVA=/tmp/jre-d/bin/java
W=/tmp/jedge-dit; mkdir -p "$W" "$OUT"
# time limits: a convert (CPU fidelity runs + engine builds) 150 s, anything else 40 s; worst case about 8.5 min in all
jedge() { timeout ${LIMIT:-40} "$GPU_JAVA" $GPU_JAVA_OPTS -Xmx24g -Djava.awt.headless=true -cp ".gpu/app/*:$GPU_CLASSPATH" io.jedge.cli.JedgeCli "$@"; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/gpu.txt"
# peak memory.used (MiB) while "$@" runs
peak() {
  local log=$W/smi.$$; nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 > "$log" 2>/dev/null & local smi=$!
  "$@"; local rc=$?
  kill $smi 2>/dev/null; wait $smi 2>/dev/null
  echo "peak GPU memory used: $(sort -n "$log" | tail -1) MiB (baseline $(head -1 "$log") MiB)"; return $rc
}
for preset in ${PRESETS:-s}; do
  jedge build-model dit --preset $preset --latent 64 --classes 10 --seed 3 -o $W/dit-$preset.onnx 2>&1 | tail -3
  jedge build-model vae-decoder --latent 64 --seed 4 -o $W/taesd.onnx 2>&1 | tail -3
  # --fidelity-min 0: seeded weights; keep every ELFATT-SD block so its speed is measured (fidelity is measured on the trained fixture)
  if [ "${PARTS:-all}" != tome ]; then # PARTS=tome: only the ToMe bundle (its convert alone needs about 200 s)
  LIMIT=150 jedge convert $W/dit-$preset.onnx --decoder $W/taesd.onnx --task latent-diffusion --precision fp32,fp16 --attention keep,elfatt-sd \
    --fidelity-min 0 --batch 1:2:2 --engines tensorrt --engine-batch 1:2:2 --workspace 8192 --engine-opt-level ${LEVEL:-1} \
    --timing-cache $W/trt.cache -o $W/dit-$preset.bundle 2>&1 | tail -25 | tee "$OUT/convert-$preset.txt"
  for v in fp32-vanilla-trt fp16-vanilla-trt; do
    echo "== DiT-$preset $v (vanilla every step)"
    peak jedge generate $W/dit-$preset.bundle --variant $v --class 3 --steps 25 --guidance 4 --seed 1 --elfatt-steps 0 \
      -o $W/$preset-$v.png 2>&1 | grep -E "step +(1|2|25)/|image|peak|error" 
  done
  for f in 0.2 1.0; do
    echo "== DiT-$preset fp16 elfatt-sd for fraction $f of the steps"
    peak jedge generate $W/dit-$preset.bundle --class 3 --steps 25 --guidance 4 --seed 1 --elfatt-steps $f \
      -o $W/$preset-elfatt-$f.png 2>&1 | tail -6
  done
  fi
  # ToMe 0.5 and ELFATT-SD+ToMe: --fidelity-min 0 again (seeded weights), every block merged
  # two CPU fidelity runs at 1024 tokens (about 70 s each) come before the engine builds: 150 s was too short on 2026-12-03
  LIMIT=260 jedge convert $W/dit-$preset.onnx --decoder $W/taesd.onnx --task latent-diffusion --precision fp32,fp16 \
    --attention keep,tome,elfatt-sd+tome --tome 0.5 --fidelity-min 0 --batch 1:2:2 --engines tensorrt --engine-batch 1:2:2 \
    --workspace 8192 --engine-opt-level ${LEVEL:-1} --timing-cache $W/trt.cache -o $W/tome-$preset.bundle 2>&1 | tail -25 \
    | tee "$OUT/convert-tome-$preset.txt"
  for v in fp16-tome-trt fp16-elfatt-sd+tome-trt; do
    echo "== DiT-$preset $v every step"
    peak jedge generate $W/tome-$preset.bundle --variant $v --class 3 --steps 25 --guidance 4 --seed 1 --elfatt-steps 1.0 \
      -o $W/$preset-$v.png 2>&1 | grep -E "step +(1|2|25)/|image|peak|error" 
  done
done 2>&1 | tee "$OUT/dit-log.txt"
