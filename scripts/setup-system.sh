#!/usr/bin/env bash
# System packages the tests need on a Debian machine (CI and a fresh developer machine):
# Chromium for the renderer end-to-end tests; PyTorch, pytest and onnx (reading graphs back) for the trainer tests.
# PASTICHE_SOFTWARE_GPU=1 (CI sets it) also installs Mesa's software Vulkan driver (lavapipe) from
# Debian 12's backports (Mesa 25; Dawn refuses Debian 12's own Mesa 22), so the WebGPU tests
# (test/electron/worker/webgpu.test.ts) run the GPU path without a GPU. It upgrades the system's
# Mesa, hence opt-in; the app itself never uses a software adapter unless told to.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
/usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch python3-numpy python3-pil)
/usr/bin/python3 -c 'import pytest' 2>/dev/null || need+=(python3-pytest)
/usr/bin/python3 -c 'import PIL' 2>/dev/null || need+=(python3-pil)
/usr/bin/python3 -c 'import onnx' 2>/dev/null || need+=(python3-onnx)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

mesa_major=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | cut -d. -f1)
if [ "${PASTICHE_SOFTWARE_GPU:-0}" = 1 ] && [ "${mesa_major:-0}" -lt 24 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  # Best effort: without it the WebGPU tests skip and print why.
  if grep -q '^VERSION_CODENAME=bookworm' /etc/os-release 2>/dev/null; then
    echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/pastiche-backports.list >/dev/null
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers \
      || echo "software Vulkan driver not installed: the WebGPU tests will skip" >&2
  else
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends mesa-vulkan-drivers \
      || echo "software Vulkan driver not installed: the WebGPU tests will skip" >&2
  fi
fi
echo "system packages ready"
