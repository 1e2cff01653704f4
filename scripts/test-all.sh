#!/usr/bin/env bash
# The whole test suite, as CI runs it (README: `npm test`). Stops at the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() { printf '\n=== %s ===\n' "$*"; }

stage "typecheck (strict TypeScript, svelte-check)"
npm run --silent typecheck

stage "lint (typescript-eslint, import boundaries of docs/architecture.md)"
npm run --silent lint

stage "import boundaries refuse wrong imports (eslint on probe files)"
npx vitest run --project node test/lint

stage "format check (prettier)"
npm run --silent format:check

stage "build (node bundles + renderer)"
npm run --silent build

stage "unit + component tests (vitest)"
npx vitest run --exclude 'test/lint/**'

stage "trainer lint (ruff, settings in pyproject.toml)"
node training/tools/ruff.mjs

stage "trainer tests (PyTorch on CPU)"
if /usr/bin/python3 -c 'import torch, pytest' 2>/dev/null; then
  /usr/bin/python3 -m pytest -q -p no:cacheprovider training/tests
else
  echo "FAILED: /usr/bin/python3 lacks torch/pytest; run scripts/setup-system.sh" >&2
  exit 1
fi

stage "end-to-end: renderer in Chromium against the real engine; Electron app where its binary exists"
npx playwright test
