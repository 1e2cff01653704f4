"""Re-export a shipped model with the current exact graph rewrites (training/core/fast_graph.py) and
update its manifest entry, without its training checkpoint: the weights come from the fp32 ONNX.

    python3 -m training.deploy.regraph [--models models] [--id pastiche-pack16]

The function must not change: the new graphs are checked with onnxruntime-node against the
PyTorch model in its training formulation, and the run fails above 1e-2 (0-255 scale).
fp16 variants are left as they are (exporting fp16 needs a CUDA device).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile

from ..core.export import export_model, load_onnx
from ..core.manifest import write_manifest
from ..core.parity import check
from ..core.paths import MODELS_DIR

MAX_DIFF = 1e-2
PARITY_SIZES = ((256, 384), (516, 772))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--models", default=MODELS_DIR)
    p.add_argument("--id", default="pastiche-pack16")
    a = p.parse_args(argv)
    man_path = os.path.join(a.models, "manifest.json")
    man = json.load(open(man_path))
    entry = next((m for m in man["models"] if m["id"] == a.id), None)
    if entry is None:
        raise SystemExit(f"Expected a model id in {man_path} but received {a.id!r}")
    g = load_onnx(os.path.join(a.models, entry["file"]))
    name = os.path.splitext(entry["file"])[0]
    with tempfile.TemporaryDirectory() as tmp:
        refs = export_model(g, tmp, name)
        parity = check(g, os.path.join(tmp, refs["full"]["file"]), sizes=PARITY_SIZES)
        tiles = check(g, os.path.join(tmp, refs["tiles"]["file"]), sizes=PARITY_SIZES[:1], tiles=True)
        single = check(g, os.path.join(tmp, refs["single"]["file"]), sizes=PARITY_SIZES) if "single" in refs else []
        worst = max(r["max_abs_diff"] for r in parity + tiles + single)
        if worst > MAX_DIFF:
            raise SystemExit(f"Rewritten graph differs from the trained model by {worst} (limit {MAX_DIFF})")
        for ref in refs.values():   # only after the check passed: no half-replaced pack
            shutil.copyfile(os.path.join(tmp, ref["file"]), os.path.join(a.models, ref["file"]))
    entry.update(refs["full"])
    entry["variants"]["tiles"] = refs["tiles"]
    if "single" in refs:
        entry["variants"]["single"] = refs["single"]
        entry["quality"]["parity_single_graph_vs_torch_fp32"] = single
    entry["graph"] = {"rewrite": "training/core/fast_graph.py: sub-pixel upsampling convs, stride-2 output conv "
                                 "(exact); norm variance from pow(2) on the plain-layout copy",
                      "single_variant": "fused InstanceNormalization (no stats output), for photos run in one pass",
                      "fp16_variants": "training formulation (re-export needs a CUDA device)"}
    entry["quality"]["parity_onnxruntime_node_vs_torch_fp32"] = parity
    entry["quality"]["parity_tiles_graph_vs_torch_fp32"] = tiles
    write_manifest(man_path, man["models"])
    print(json.dumps({"files": refs, "parity": parity, "tiles": tiles, "single": single}, indent=1))


if __name__ == "__main__":
    main()
