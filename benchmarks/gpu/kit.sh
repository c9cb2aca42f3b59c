# Sourced by the GPU scripts after they set W (their work folder): the kit's environment (../shared/gpu/README.md),
# the JRE with java.desktop that an earlier call of the lease unpacked (tree + app + JRE exceed one call), and
# `jedge` as a command on PATH rather than a shell function, so that `timeout` can run it.
eval "$(bash .gpu/tools/remote.sh env)"
if [ -f .gpu/jre/jre.tar.xz ]; then mkdir -p /tmp/jre-d && tar xJf .gpu/jre/jre.tar.xz -C /tmp; fi
[ -x /tmp/jre-d/bin/java ] && GPU_JAVA=/tmp/jre-d/bin/java
mkdir -p "$W/bin" "$OUT"
cat > "$W/bin/jedge" <<EOF
#!/bin/sh
exec "$GPU_JAVA" $GPU_JAVA_OPTS -Xmx24g -Djava.awt.headless=true -cp "$PWD/.gpu/app/*:$GPU_CLASSPATH" io.jedge.cli.JedgeCli "\$@"
EOF
chmod +x "$W/bin/jedge"
PATH=$W/bin:$PATH
# The machine a run's figures come from, as the first lines of its log.
machine() { nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader; echo "cores $(nproc)"; date -u; "$GPU_JAVA" -version 2>&1 | head -1; }
# A step's time limit: what it wants, or what is left of BUDGET seconds since T0 (both set by the script); fails with a
# line saying so when less than 10 s is left, so the step is skipped instead of cut off.
tmo() { local want=$1 left=$((BUDGET - (SECONDS - T0))); if [ $left -lt 10 ]; then echo "skipped: the ${BUDGET} s budget is spent" >&2; return 1; fi; echo $((want < left ? want : left)); }
# Starts a script's run: its output also goes to $OUT/NAME.log, the machine comes first, and T0 starts the BUDGET clock.
begin() { exec > >(tee "$OUT/$1.log") 2>&1; machine; T0=$SECONDS; }
