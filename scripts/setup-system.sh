#!/usr/bin/env bash
# System packages the tests need on a Debian machine (CI and a fresh developer machine):
# Chromium for the renderer end-to-end tests; exiftool (Debian's libimage-exiftool-perl) to read the
# recipe in exported files back with a reader of its own; PyTorch, pytest and onnx (reading graphs back) for the trainer tests.
# PASTICHE_SOFTWARE_GPU=1 (CI sets it) also installs Mesa's software Vulkan driver (lavapipe) from
# Debian 12's backports (Mesa 25; Dawn refuses Debian 12's own Mesa 22), so the WebGPU tests
# (test/electron/worker/webgpu.test.ts) run the GPU path without a GPU. It upgrades the system's
# Mesa, hence opt-in; the app itself never uses a software adapter unless told to.
# The backports source is derived from the Debian source this machine is already configured with.
#
# Every step says what it did. For tests: PASTICHE_SETUP_ROOT prefixes /etc, /usr/bin/chromium and /usr/bin/exiftool,
# PASTICHE_SETUP_PYTHON replaces /usr/bin/python3; dpkg-query, apt-get, id, sudo and tee come from PATH.
set -euo pipefail
root=${PASTICHE_SETUP_ROOT:-}
py=${PASTICHE_SETUP_PYTHON:-/usr/bin/python3}
say() { echo "setup-system: $*"; }

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { say "not root and no sudo: run this script as root" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
as_root() { if [ ${#sudo_cmd[@]} -gt 0 ]; then sudo "$@"; else "$@"; fi; }
apt_install() { as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; }

need=()
[ -x "$root/usr/bin/chromium" ] || need+=(chromium)
[ -x "$root/usr/bin/exiftool" ] || need+=(libimage-exiftool-perl)
"$py" -c 'import torch' 2>/dev/null || need+=(python3-torch python3-numpy)
"$py" -c 'import pytest' 2>/dev/null || need+=(python3-pytest)
"$py" -c 'import PIL' 2>/dev/null || need+=(python3-pil)
"$py" -c 'import onnx' 2>/dev/null || need+=(python3-onnx)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}${sudo_cmd:+ (through sudo)}"
  as_root apt-get update -qq
  apt_install "${need[@]}" || { say "apt-get could not install ${need[*]}" >&2; exit 1; }
  say "installed ${need[*]}"
else
  say "chromium, exiftool, PyTorch, pytest, PIL and onnx already installed"
fi

# Prints "URI [keyring]" of the first enabled Debian source for suite $1: deb822 files first, then sources.list.
debian_source() {
  local suite=$1 f
  for f in "$root"/etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" 'BEGIN { RS = ""; FS = "\n" }
      {
        uri = ""; key = ""; ok = 0; deb = 0; on = 1
        for (i = 1; i <= NF; i++) {
          line = $i; if (line ~ /^[ \t]*#/) continue
          split(line, kv, ":"); name = tolower(kv[1]); value = substr(line, length(kv[1]) + 2)
          gsub(/^[ \t]+|[ \t]+$/, "", value); n = split(value, words, /[ \t]+/)
          if (name == "types") for (j = 1; j <= n; j++) if (words[j] == "deb") deb = 1
          if (name == "uris") uri = words[1]
          if (name == "suites") for (j = 1; j <= n; j++) if (words[j] == suite) ok = 1
          if (name == "signed-by") key = words[1]
          if (name == "enabled" && tolower(words[1]) == "no") on = 0
        }
        if (deb && ok && on && uri != "") { print uri (key != "" ? " " key : ""); exit }
      }' "$f" | grep . && return 0
  done
  f="$root/etc/apt/sources.list"
  [ -f "$f" ] || return 1
  # One-line format: deb [options] URI suite components...
  awk -v suite="$suite" '$1 == "deb" {
      key = ""; i = 2
      if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) { if ($i ~ /signed-by=/) key = $i; i++ } if ($i ~ /signed-by=/) key = $i; i++ }
      gsub(/^\[|\]$|^signed-by=/, "", key)
      if ($(i + 1) == suite) { print $i (key != "" ? " " key : ""); exit }
    }' "$f" | grep .
}

gpu_skip="software Vulkan driver not installed: the WebGPU tests will skip"
if [ "${PASTICHE_SOFTWARE_GPU:-0}" != 1 ]; then
  say "software Vulkan driver not requested (PASTICHE_SOFTWARE_GPU is not 1)"
else
  # dpkg-query exits 1 for a package it has never seen; that only means "not installed".
  mesa=$(dpkg-query -W -f='${db:Status-Status} ${Version}\n' mesa-vulkan-drivers 2>/dev/null || true)
  mesa_version=
  case $mesa in installed\ *) mesa_version=${mesa#installed } ;; esac
  mesa_major=${mesa_version%%.*}
  mesa_major=${mesa_major##*:}
  if [ -n "$mesa_version" ] && [ "$mesa_major" -ge 24 ] 2>/dev/null; then
    say "Mesa Vulkan driver $mesa_version already installed"
  else
    if [ -n "$mesa_version" ]; then say "Mesa Vulkan driver $mesa_version is older than 24: upgrading"; else say "Mesa Vulkan driver not installed: installing"; fi
    codename=$(sed -n 's/^VERSION_CODENAME=//p' "$root/etc/os-release" 2>/dev/null | tr -d '"')
    if [ "$codename" = bookworm ]; then
      if src=$(debian_source bookworm); then
        read -r uri key <<<"$src"
        line="deb ${key:+[signed-by=$key] }$uri bookworm-backports main"
        echo "$line" | as_root tee "$root/etc/apt/sources.list.d/pastiche-backports.list" >/dev/null
        say "added apt source: $line"
        as_root apt-get update -qq || say "apt-get update failed; trying the install anyway" >&2
        if apt_install -t bookworm-backports mesa-vulkan-drivers; then
          say "installed mesa-vulkan-drivers from bookworm-backports"
        else
          say "$gpu_skip" >&2
        fi
      else
        say "no enabled Debian source for bookworm in $root/etc/apt/sources.list.d/*.sources or $root/etc/apt/sources.list; $gpu_skip" >&2
      fi
    elif apt_install mesa-vulkan-drivers; then
      say "installed mesa-vulkan-drivers from the sources configured for ${codename:-this system}"
    else
      say "$gpu_skip" >&2
    fi
  fi
fi
say "system packages ready"
