#!/usr/bin/env bash
# Builds the jedge distributions: tarballs that run with no Maven and no JDK on the target machine.
#
#   dist/build.sh [--arch x86_64|aarch64|all] [--host] [--tensorrt] [--no-build]
#
# Writes into dist/out/ (ignored by git):
#   jedge-<v>-linux-<arch>.tar.gz           device flavour: cli + sdk + jetson-runtime + deps (no converters,
#                                           protobuf or tribuo), a jlink runtime, that platform's ONNX Runtime
#                                           native library pre-extracted, and the jedge launcher
#   jedge-<v>-host-linux-<arch>.tar.gz      with --host: the same plus the converters (convert, inspect, build-model, ...)
#   jedge-<v>-linux-aarch64-tensorrt.tar.gz with --tensorrt: the aarch64 device flavour plus the JavaCPP presets'
#                                           linux-arm64 JNI jars (javacpp, cuda, tensorrt; not the redist); TensorRT
#                                           and CUDA come from JetPack
#   jedge-<v>-host-linux-aarch64-tensorrt.tar.gz  with --host --tensorrt: both, for convert --engines tensorrt on the device
#
# Needs here: JDK 17 (jlink, jar) and Maven. The x86_64 runtime is linked from this JDK's jmods; the aarch64
# one from Debian bookworm's arm64 openjdk-17-jdk-headless jmods, fetched once with apt-get download into
# dist/cache (or point JEDGE_JMODS_AARCH64 / JEDGE_JMODS_X86_64 at a jmods directory of a JDK 17).
# JEDGE_MVN_ARGS adds Maven arguments (for example -o).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/dist/out"
cache="$root/dist/cache"
arches=(x86_64 aarch64)
host=false
tensorrt=false
build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) shift; case "${1:-}" in all) arches=(x86_64 aarch64) ;; x86_64|aarch64) arches=("$1") ;;
              *) echo "dist/build.sh: --arch '${1:-}', expected x86_64, aarch64 or all" >&2; exit 2 ;; esac ;;
    --host) host=true ;;
    --tensorrt) tensorrt=true ;;
    --no-build) build=false ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "dist/build.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -1)
# What the CLI needs from the JDK (jdeps over the app jars, plus JUL for ONNX Runtime and Unsafe for JavaCPP/Gson).
modules=java.base,java.compiler,java.desktop,java.logging,java.management,java.sql,jdk.unsupported,jdk.zipfs

if $build; then
  echo "== building the cli module and its dependencies (mvn package -DskipTests)"
  (cd "$root" && mvn -B -q ${JEDGE_MVN_ARGS:-} package -pl cli -am -DskipTests)
fi
lib="$root/cli/target/lib"
[ -f "$root/cli/target/jedge-cli.jar" ] || { echo "dist/build.sh: cli/target/jedge-cli.jar is missing; run without --no-build" >&2; exit 1; }
ort_jar=$(ls "$lib"/onnxruntime-*.jar)
mkdir -p "$out" "$cache"

# A directory of JDK 17 jmods for the target architecture.
jmods_for() {
  local arch=$1 var dir
  var="JEDGE_JMODS_$(echo "$arch" | tr '[:lower:]' '[:upper:]')"
  if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
  if [ "$arch" = "$(uname -m)" ]; then
    dir="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")/jmods"
    [ -f "$dir/java.base.jmod" ] && { echo "$dir"; return; }
  fi
  if [ "$arch" = aarch64 ]; then
    dir="$cache/jdk-arm64"
    if [ ! -f "$dir/jmods/java.base.jmod" ]; then
      echo "== fetching Debian's arm64 openjdk-17-jdk-headless for its jmods (apt-get download, private apt state)" >&2
      local st="$cache/apt-arm64"
      mkdir -p "$st/state/lists/partial" "$st/cache/archives/partial"
      local a=(-o "Dir::State=$st/state" -o "Dir::Cache=$st/cache" -o APT::Architecture=arm64 -o "APT::Architectures::=arm64"
               -o Debug::NoLocking=1)
      apt-get -q "${a[@]}" update >&2
      (cd "$st" && rm -f openjdk-17-jdk-headless_*.deb && apt-get -q "${a[@]}" download openjdk-17-jdk-headless:arm64 >&2)
      rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
      dpkg-deb -x "$st"/openjdk-17-jdk-headless_*_arm64.deb "$dir.tmp"
      rm -rf "$dir" && mkdir -p "$dir" && mv "$dir.tmp"/usr/lib/jvm/java-17-openjdk-arm64/jmods "$dir/jmods" && rm -rf "$dir.tmp"
    fi
    echo "$dir/jmods"; return
  fi
  echo "dist/build.sh: no JDK 17 jmods for $arch: set JEDGE_JMODS_$(echo "$arch" | tr '[:lower:]' '[:upper:]') to a JDK 17 jmods directory for $arch" >&2
  return 1
}

# The JavaCPP presets' linux-arm64 JNI jars (and the Java classes), not the redist.
trt_jars() {
  local dir="$cache/tensorrt-linux-arm64"
  if [ ! -f "$dir/.complete" ]; then
    echo "== fetching the JavaCPP presets' linux-arm64 jars (javacpp, cuda, tensorrt)" >&2
    mkdir -p "$dir"
    local p v
    p=$(sed -n 's:.*<\(javacpp\|cuda\|tensorrt\).version>\(.*\)</.*:\1=\2:p' "$root/pom.xml")
    for a in $p; do
      v=${a#*=}; a=${a%%=*}
      for c in "" ":linux-arm64"; do
        (cd "$root" && mvn -B -q ${JEDGE_MVN_ARGS:-} dependency:copy -Dartifact="org.bytedeco:$a:$v:jar$c" -DoutputDirectory="$dir") >&2
      done
    done
    touch "$dir/.complete"
  fi
  echo "$dir"
}

# stage ARCH FLAVOUR: lays out one distribution directory and tars it.
stage() {
  local arch=$1 flavour=$2 name ortdir jmods
  case "$flavour" in
    device) name="jedge-$version-linux-$arch" ;;
    host) name="jedge-$version-host-linux-$arch" ;;
    tensorrt) name="jedge-$version-linux-$arch-tensorrt" ;;
    host-tensorrt) name="jedge-$version-host-linux-$arch-tensorrt" ;;
  esac
  case "$arch" in x86_64) ortdir=linux-x64 ;; aarch64) ortdir=linux-aarch64 ;; esac
  jmods=$(jmods_for "$arch")
  local d="$out/$name"
  echo "== $name"
  rm -rf "$d" && mkdir -p "$d/lib" "$d/native"
  # --strip-debug also strips native symbols with this machine's objcopy, which cannot read another
  # architecture's libraries; a cross-link strips only the Java debug attributes.
  local strip=--strip-debug
  [ "$arch" = "$(uname -m)" ] || strip=--strip-java-debug-attributes
  jlink --module-path "$jmods" --add-modules "$modules" "$strip" --no-header-files --no-man-pages \
    --compress=2 --output "$d/runtime"
  cp "$root/cli/target/jedge-cli.jar" "$d/lib/"
  for j in "$lib"/*.jar; do
    case "$(basename "$j")" in
      onnxruntime-*) ;;
      jedge-converters-*|tribuo-*|protobuf-*) case "$flavour" in host*) cp "$j" "$d/lib/" ;; esac ;;
      *) cp "$j" "$d/lib/" ;;
    esac
  done
  # ONNX Runtime: this platform's native library pre-extracted, the jar without any natives.
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && jar xf "$ort_jar")
  cp "$tmp/ai/onnxruntime/native/$ortdir/"*.so "$d/native/"
  rm -rf "$tmp/ai/onnxruntime/native"
  jar --create --file "$d/lib/$(basename "$ort_jar")" --manifest "$tmp/META-INF/MANIFEST.MF" -C "$tmp" ai
  rm -rf "$tmp"
  if [ "${flavour#*tensorrt}" != "$flavour" ]; then
    mkdir -p "$d/lib/tensorrt"
    cp "$(trt_jars)"/*.jar "$d/lib/tensorrt/"
  fi
  sed -e "s/@ARCH@/$arch/g" -e "s/@VERSION@/$version/g" "$root/dist/jedge" > "$d/jedge"
  chmod +x "$d/jedge"
  printf 'jedge %s, linux-%s, %s flavour, built %s from %s\n' "$version" "$arch" "$flavour" \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)" > "$d/VERSION"
  tar -C "$out" -czf "$out/$name.tar.gz" "$name"
  echo "   wrote $out/$name.tar.gz ($(du -h "$out/$name.tar.gz" | cut -f1))"
}

for arch in "${arches[@]}"; do
  stage "$arch" device
  if $host; then stage "$arch" host; fi
  if $tensorrt && [ "$arch" = aarch64 ]; then stage "$arch" tensorrt; fi
  if $tensorrt && $host && [ "$arch" = aarch64 ]; then stage "$arch" host-tensorrt; fi
done
