#!/usr/bin/env bash
# Issue 17 baseline on the GPU machine. Expected run time: about 4-5 minutes (two ViT-224 engine builds
# with a timing cache, 200 timed runs per batch, then the quickstart on 16 cores).
# Run from the repository root there, after the kit of ../shared/gpu/README.md is installed:
#   bash benchmarks/gpu/speed.sh
# Measures what exists on branch helper-speed: the float[] path only (the direct-memory path and CUDA
# graphs are not built yet, so there is no "after" column). Prints, per precision and batch, wall p50/p95,
# GPU p50 from CUDA events (copies + compute), and Java-side overhead = (wall - GPU) / wall; then the
# quickstart's warmed sequential vs concurrent images/s on this host's cores.
# Results go to $OUT: speed-gpu.txt, speed-vit.json, speed-quickstart.txt.
set -uo pipefail
eval "$(bash .gpu/tools/remote.sh env)"
if [ -f .gpu/jre/jre.tar.xz ]; then mkdir -p /tmp/jre-d && tar xJf .gpu/jre/jre.tar.xz -C /tmp; fi
# the jre may have been unpacked by an earlier call of this lease (tree + app + jre exceed one call)
[ -x /tmp/jre-d/bin/java ] && GPU_JAVA=/tmp/jre-d/bin/java
W=/tmp/jedge-speed; mkdir -p "$W" "$OUT"
FX=.gpu/app/fixtures
jedge() { "$GPU_JAVA" $GPU_JAVA_OPTS -Xmx24g -Djava.awt.headless=true -cp ".gpu/app/*:$GPU_CLASSPATH" io.jedge.cli.JedgeCli "$@"; }
proof() { "$GPU_JAVA" $GPU_JAVA_OPTS -Xmx24g -cp ".gpu/app/*:$GPU_CLASSPATH" io.jedge.cli.convert.TrtProof "$@"; }
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; nproc; date -u; } | tee "$OUT/speed-gpu.txt"

echo "== ViT-224 (vit224_legacy_op17), float[] path, fp32 and fp16, batch 1 and 16"
timeout 240 proof "$FX/vit224_legacy_op17" fp32,fp16 1,16 "$OUT/speed-vit.json" runs=200 warmup=20 tf32=false cache=$W/trt.cache 2>&1 | tail -20
LD_LIBRARY_PATH= python3 - "$OUT/speed-vit.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("precision batch wall_p50_ms wall_p95_ms gpu_p50_ms compute_p50_ms copy_p50_ms overhead_pct images_per_s")
def walk(o, prec=None):
    if isinstance(o, dict):
        prec = o.get("precision", prec)
        for t in o.get("timing", []) if isinstance(o.get("timing"), list) else []:
            print(prec, t["batch"], *("%.3f" % t[k] for k in ("wall_ms_p50", "wall_ms_p95", "gpu_ms_p50", "compute_ms_p50", "copy_ms_p50")),
                  "%.1f" % t["java_overhead_pct"], "%.1f" % t["throughput_per_s"])
        for v in o.values(): walk(v, prec)
    elif isinstance(o, list):
        for v in o: walk(v, prec)
walk(r)
PY

echo "== quickstart on $(nproc) cores: warmed sequential vs concurrent async, same image"
timeout 150 jedge quickstart -o $W/qs --seconds 0.5 > "$OUT/speed-quickstart.txt" 2>&1
grep -E "warmed|best throughput|fastest" "$OUT/speed-quickstart.txt"
