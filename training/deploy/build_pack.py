"""Assemble the built-in style pack in models/: ONNX files, hashes and the manifest entry with
provenance, training settings, parity and evaluation numbers.

    python3 -m training.deploy.build_pack CHECKPOINT --summary runs/pack/summary.json \
        --eval models/eval/pack.json [--fp16-dir DIR] [--out models]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil

import torch

from ..core.data import default_shared_dir, load_style_meta
from ..core.export import export_model, file_ref, load_checkpoint
from ..core.manifest import model_entry, write_manifest
from ..core.paintings import STYLE_IDS
from ..core.parity import check
from ..core.paths import MODELS_DIR

MODEL_ID = "pastiche-pack16"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("checkpoint")
    p.add_argument("--summary", required=True, help="training summary.json of the run")
    p.add_argument("--eval", default=None, help="training/core/eval.py output for this checkpoint")
    p.add_argument("--fp16-dir", default=None, help="fp16 ONNX exported on the GPU machine (same weights)")
    p.add_argument("--out", default=MODELS_DIR)
    a = p.parse_args(argv)
    ck = torch.load(a.checkpoint, map_location="cpu")
    g = load_checkpoint(a.checkpoint)
    refs = {"fp32": export_model(g, a.out, MODEL_ID)}
    if a.fp16_dir:
        refs["fp16"] = {}
        for kind, src in (("full", "pack-fp16.onnx"), ("tiles", "pack-fp16-tiles.onnx")):
            dst = os.path.join(a.out, f"{MODEL_ID}-fp16{'-tiles' if kind == 'tiles' else ''}.onnx")
            shutil.copyfile(os.path.join(a.fp16_dir, src), dst)
            refs["fp16"][kind] = file_ref(dst)
    meta = {m["file"].split("/")[-1]: m for m in load_style_meta(default_shared_dir())}
    no_eval = {"styles": [], "mean_content_distance": None, "mean_style_distance": None}
    ev = json.load(open(a.eval)) if a.eval else no_eval
    evals = {e["file"]: e for e in ev["styles"]}
    styles = []
    for f in ck["styles"]:
        m = meta[f]
        e = evals.get(f, {})
        styles.append({"id": STYLE_IDS[f], "title": m["title"], "artist": m["artist"], "year": m["year"],
                       "publicDomain": m["pd_status"], "source": m["source"], "sourceSha256": m["sha256"],
                       "quality": {k: e[k] for k in ("content_distance", "style_distance") if k in e}})
    summary = json.load(open(a.summary))
    parity = check(g, os.path.join(a.out, refs["fp32"]["full"]["file"]), sizes=((256, 384), (516, 772)))
    entry = model_entry(
        MODEL_ID, g, refs, styles,
        training={k: summary[k] for k in ("steps", "images", "train_seconds", "images_per_s", "device", "torch",
                                          "content_photos", "content_sets", "config", "settings")},
        quality={"eval": "training/core/eval.py: 24 Kodak photos (held out), long edge 512",
                 "mean_content_distance": ev["mean_content_distance"],
                 "mean_style_distance": ev["mean_style_distance"],
                 "parity_onnxruntime_node_vs_torch_fp32": parity},
        provenance={"trainer": "training/ (this repository)", "paintings": "../shared/data/styles (public domain)",
                    "content_photos": "../shared/data/content open + research sets; research set is licensed for "
                                      "research use (BSDS500, ImageNet): see training/README.md",
                    "loss_network": "VGG19 blocks 1-3, Keras ImageNet weights (CC BY 4.0)"})
    man_path = os.path.join(a.out, "manifest.json")
    models = []
    if os.path.exists(man_path):
        models = [m for m in json.load(open(man_path))["models"] if m["id"] != MODEL_ID]
    write_manifest(man_path, [entry] + models)
    print(json.dumps({"parity": parity, "files": refs}, indent=1))


if __name__ == "__main__":
    main()
