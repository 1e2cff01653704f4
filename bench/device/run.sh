#!/usr/bin/env bash
# The prepared GPU measurement: onnxruntime-node WebGPU (the app's GPU path) vs PyTorch CUDA, one call.
# Device tool: run  command "bash bench/device/run.sh"  carry [".device-carry-gpu"]  timeout_s 480
# (build the carry first, here: bash bench/device/prepare-carry.sh). Locally: OUT=/tmp/gpu-out bash bench/device/run.sh
# Writes to $OUT: gpu-bench.json (everything), gpu-bench.log, ort-gpu.json, torch.json, vulkaninfo.txt.
# Each part is guarded; the JSON is written whatever fails. Typical ~5 min; worst case ~7.5 min (ORT hard cap 300 s + torch 120 s + setup).
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT"
C=.device-carry-gpu; W=/tmp/pastiche-gpu
LOG="$OUT/gpu-bench.log"
exec > >(tee "$LOG") 2>&1
export PYTHONUNBUFFERED=1
T0=$(date +%s)
step() { echo; echo "== $* ($(( $(date +%s) - T0 )) s)"; }
unxz_to() { if command -v xz >/dev/null; then xz -dc "$1" > "$2"; else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],"wb"))' "$1" "$2"; fi; }

step "unpack node + onnxruntime-node into $W"
rm -rf "$W"; mkdir -p "$W"
NODE=""
if [ -f "$C/node.xz" ]; then
  cp -r "$C/node_modules" "$W/" \
  && unxz_to "$C/node.xz" "$W/node" && chmod +x "$W/node" \
  && unxz_to "$C/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1.xz" "$W/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1" \
  && rm -f "$W/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1.xz" \
  && NODE="$W/node" && "$NODE" --version || echo "UNPACK FAILED"
else
  echo "no $C/node.xz: run bench/device/prepare-carry.sh first (and carry $C)"
fi

step "Vulkan/EGL loaders"
if command -v nvidia-smi >/dev/null || [ "${FORCE_DEBS:-0}" = 1 ]; then
  # Device README '.gl' recipe: loader debs unpacked to /, then ldconfig (the machine starts bare).
  for f in "$C"/debs/*.deb; do dpkg -x "$f" / || echo "dpkg -x $f failed"; done; ldconfig || true
else
  echo "no nvidia-smi: not installing loader debs on this machine (FORCE_DEBS=1 to force)"
fi
ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$ICD" ] && export VK_DRIVER_FILES="$ICD" VK_ICD_FILENAMES="$ICD"
EGLV=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$EGLV" ] && export __EGL_VENDOR_LIBRARY_FILENAMES="$EGLV"
echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-} __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-}"
ldconfig -p | grep -E 'libvulkan|libEGL\.so|libGLX_nvidia|libnvidia-glcore' || echo "(no vulkan/egl libs in ldconfig)"
ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d 2>/dev/null

step "GPU"
timeout 30 nvidia-smi -L || echo "nvidia-smi unavailable"
timeout 30 nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv 2>/dev/null || true
if ls "$C"/debs-tools/*.deb >/dev/null 2>&1; then
  # vulkaninfo unpacked under /tmp, never to / (README: other packages can break /).
  mkdir -p /tmp/vt && for f in "$C"/debs-tools/*.deb; do dpkg -x "$f" /tmp/vt; done
  LD_LIBRARY_PATH=/tmp/vt/usr/lib/x86_64-linux-gnu:/tmp/vt/lib/x86_64-linux-gnu timeout 30 /tmp/vt/usr/bin/vulkaninfo --summary > "$OUT/vulkaninfo.txt" 2>&1; echo "vulkaninfo exit $?"
  head -60 "$OUT/vulkaninfo.txt"
else
  echo "no vulkaninfo carried"
fi

step "fixed-shape model copies (python onnx)"
FIXED=/tmp/pastiche-fixed
python3 bench/device/fix_shapes.py "$FIXED" 1920x1080 || echo "fix_shapes failed (fixed-shape configs will be skipped)"

step "onnxruntime-node WebGPU (bench/device/ort-gpu.mjs)"
if [ -n "$NODE" ]; then
  ORT_NODE_DIR="$W/node_modules/onnxruntime-node" ORT_GPU_TILING="$C/tiling.js" ORT_GPU_FIXED_DIR="$FIXED" ORT_GPU_BUDGET_S="${ORT_GPU_BUDGET_S:-240}" \
    timeout "${ORT_GPU_TIMEOUT_S:-300}" "$NODE" bench/device/ort-gpu.mjs --out "$OUT/ort-gpu.json"
  echo "ort-gpu exit $?"
else
  echo "skipped: no node"
fi

step "PyTorch CUDA baseline (training/experiments/device_run.py bench_torch: widths 16/32, fp32/fp16, 1080p/4K, median of 10 after 3)"
timeout "${TORCH_TIMEOUT_S:-120}" python3 -c '
import json, sys
from training.experiments.device_run import bench_torch
try:
    r = bench_torch(sys.argv[1])
except Exception as e:
    r = {"error": repr(e)}
    print("bench_torch failed:", repr(e))
json.dump(r, open(sys.argv[1] + "/torch.json", "w"), indent=1)
' "$OUT"
echo "torch exit $?"

step "fp16 variants of the exported-graph rewrite (needs CUDA; commit them from \$OUT/fp16)"
timeout "${FP16_TIMEOUT_S:-60}" python3 -c '
import json, sys
from training.core.export import export_model, load_onnx
try:
    refs = export_model(load_onnx("models/pastiche-pack16.onnx"), sys.argv[1] + "/fp16", "pastiche-pack16", half=True, device="cuda")
    print(json.dumps(refs))
except Exception as e:
    print("fp16 export failed:", repr(e))
' "$OUT"

step "merge -> $OUT/gpu-bench.json"
python3 - "$OUT" "$T0" <<'PY'
import json, os, sys, time
out, t0 = sys.argv[1], int(sys.argv[2])
def load(name):
    p = os.path.join(out, name)
    try:
        return json.load(open(p))
    except Exception as e:
        return {"missing_or_invalid": f"{name}: {e!r}"}
rep = {"ort_webgpu": load("ort-gpu.json"), "torch_cuda": load("torch.json"), "seconds": int(time.time()) - t0}
vi = os.path.join(out, "vulkaninfo.txt")
if os.path.exists(vi):
    rep["vulkaninfo_summary_head"] = open(vi, errors="replace").read()[:4000]
# Side by side: app model (width 16) and reference (width 32), ms.
side = {}
for r in rep["torch_cuda"].get("runs", []) if isinstance(rep["torch_cuda"], dict) else []:
    side[f"torch w{r['width']}{'' if r.get('graph', 'trained') == 'trained' else ' fast'} {r['dtype']} {r['size']}"] = r["median_ms"]
o = rep["ort_webgpu"]
if isinstance(o, dict):
    for k, v in (o.get("summary") or {}).items():
        side[f"ort {k}"] = v
rep["side_by_side_ms"] = side
json.dump(rep, open(os.path.join(out, "gpu-bench.json"), "w"), indent=1)
print(json.dumps(side, indent=1))
PY
step "done"
ls -la "$OUT"
