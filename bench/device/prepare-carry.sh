#!/usr/bin/env bash
# Builds .device-carry-gpu/ (git-ignored): everything the GPU machine lacks to run onnxruntime-node's
# WebGPU provider. The machine has no Node.js and no Vulkan loader; it is x86-64 and cannot fetch.
#   node.xz                        this machine's /usr/bin/node (portable glibc x86-64 build), xz
#   node_modules/onnxruntime-node  package.json, dist/*.js, bin/napi-v6/linux/x64/ (.so as .xz)
#   node_modules/onnxruntime-common package.json, dist/cjs, dist/esm
#   debs/*.deb                     Vulkan/EGL/GL loaders (docs: /work/.library/device/README.md, '.gl')
#   debs-tools/*.deb               vulkan-tools (vulkaninfo), unpacked under /tmp there, optional
# Usage (repo root): bash bench/device/prepare-carry.sh
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
C=.device-carry-gpu
[ "$(uname -m)" = x86_64 ] || { echo "must run on x86-64 (the carried node and .so run as-is there)"; exit 1; }
# The two xz files take ~2 min: cached outside the repo while newer than their source
# (FRESH=1 rebuilds them).
CACHE=${CARRY_CACHE:-/tmp/pastiche-carry-cache}
[ "${FRESH:-0}" = 1 ] && rm -rf "$CACHE"
mkdir -p "$CACHE"; rm -rf "$C"; mkdir -p "$C"
NODE_BIN=${NODE_BIN:-$(command -v node)}
echo "node: $NODE_BIN $("$NODE_BIN" --version)"
xzc() { if [ -s "$2" ] && [ "$2" -nt "$1" ]; then echo "cached $2"; else xz -T0 -9 -c "$1" > "$2.tmp" && mv "$2.tmp" "$2"; fi; cp "$2" "$3"; }
xzc "$NODE_BIN" "$CACHE/node.xz" "$C/node.xz"

ORT=node_modules/onnxruntime-node
COMMON=node_modules/onnxruntime-common
[ "$(node -p "require('./$ORT/package.json').version")" = 1.30.0 ] || echo "warning: onnxruntime-node is not 1.30.0"
mkdir -p "$C/$ORT/dist" "$C/$ORT/bin/napi-v6/linux/x64" "$C/$COMMON/dist"
cp "$ORT/package.json" "$C/$ORT/"
cp "$ORT"/dist/*.js "$C/$ORT/dist/"
cp "$ORT/bin/napi-v6/linux/x64/onnxruntime_binding.node" "$C/$ORT/bin/napi-v6/linux/x64/"
xzc "$ORT/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$CACHE/libonnxruntime.so.1.xz" "$C/$ORT/bin/napi-v6/linux/x64/libonnxruntime.so.1.xz"
cp "$COMMON/package.json" "$C/$COMMON/"
(cd "$COMMON" && find dist \( -path 'dist/cjs/*' -o -path 'dist/esm/*' \) \( -name '*.js' -o -name package.json \) -print0 | xargs -0 cp --parents -t "../../$C/$COMMON/")

# Loader debs, per the device README's '.gl' recipe (amd64 lists in /tmp/amd64, whatever this CPU is).
# The engine's tile planner, so the GPU run tiles exactly as the app does (needs `npm run build`).
cp dist/electron/imaging/tiling.js "$C/tiling.js"
mkdir -p "$C/debs" "$C/debs-tools" /tmp/amd64/partial
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
if [ -z "$(ls /tmp/amd64/*Packages* 2>/dev/null)" ]; then apt-get $o update -qq; fi
(cd "$C/debs" && apt-get $o download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
# vulkaninfo (diagnostics) and the X11/Wayland client libraries it links: unpacked under /tmp
# there and used through LD_LIBRARY_PATH by vulkaninfo alone, never unpacked to /.
(cd "$C/debs-tools" && apt-get $o download -qq vulkan-tools libwayland-client0 libxcb1 libx11-6 libxau6 libxdmcp6 libbsd0 libmd0 libffi8) \
  || echo "vulkan-tools not downloaded (optional)"
ls -la "$C/debs" "$C/debs-tools"

du -sb "$C" | awk '{printf "carry total: %.1f MiB\n", $1/1048576}'
tree_b=$(git ls-files -z | xargs -0 stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}')
untracked_b=$(git ls-files -z --others --exclude-standard | xargs -0 -r stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}')
carry_b=$(du -sb "$C" | cut -f1)
awk -v t="$tree_b" -v u="$untracked_b" -v c="$carry_b" 'BEGIN {
  tot=(t+u+c)/1048576; printf "tracked %.1f MiB + untracked %.1f MiB + carry %.1f MiB = %.1f MiB (limit 64 MiB)\n", t/1048576, u/1048576, c/1048576, tot;
  if (tot > 63) { print "TOO BIG for one device call"; exit 1 } }'
