#!/usr/bin/env bash
# System packages the tests need on a Debian machine (CI and a fresh developer machine):
# Chromium for the renderer end-to-end tests; PyTorch, pytest and onnx (reading graphs back) for the trainer tests.
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
echo "system packages ready"
