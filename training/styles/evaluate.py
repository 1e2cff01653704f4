"""Kodak distances and a contact sheet for a style file (training/core/eval.py's measures: 24 held-out
photos at long edge 512, content distance to the photo, style distance to the painting).

    python3 -m training.styles.evaluate STYLE.json PAINTING [--name TAG] [--write-quality]

Prints and saves models/eval/<TAG>-<id>.json (TAG: styles by default) with the pack's figures and the targets
(style distance <= 1.5x the pack's median, content distance <= 1.2x the pack's mean); the sheet goes
to models/eval/sheets/<TAG>-<id>.jpg. --write-quality records the distances in the style
file (atomic rewrite). Any style file of the pack can be measured against any painting, e.g. a
built-in's vector against a new painting (the starting point of learn.py).
"""
from __future__ import annotations

import argparse
import json
import os

import numpy as np
import torch

from ..core.eval import evaluate, load_kodak
from ..core.vgg import VGGFeatures
from .learn import load_frozen, stylize
from .vector import read_style, vector_size, write_style

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
EVAL = "training/styles/evaluate.py (training/core/eval.py): 24 Kodak photos (held out), long edge 512"


def pack_figures(entry, models_dir: str = "") -> dict:
    styles = entry["styles"]
    if isinstance(styles, dict):   # vector-input pack: each style's figures are in its style file
        quality = []
        for sid in styles["builtin"]:
            with open(os.path.join(models_dir, styles["dir"], sid + ".json"), encoding="utf-8") as f:
                quality.append(json.load(f)["quality"])
    else:
        quality = [s["quality"] for s in styles]
    cd = [q["content_distance"] for q in quality]
    sd = [q["style_distance"] for q in quality]
    return {"mean_content_distance": round(float(np.mean(cd)), 4),
            "median_style_distance": round(float(np.median(sd)), 4),
            "target_content_distance": round(1.2 * float(np.mean(cd)), 4),
            "target_style_distance": round(1.5 * float(np.median(sd)), 4)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("style")
    p.add_argument("painting")
    p.add_argument("--name", default=None)
    p.add_argument("--models", default=os.path.join(ROOT, "models"))
    p.add_argument("--pack", default="pastiche-pack16")
    p.add_argument("--out", default=os.path.join(ROOT, "models", "eval"))
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--limit", type=int, default=0, help="first N photos only (tests)")
    p.add_argument("--no-sheet", action="store_true")
    p.add_argument("--write-quality", action="store_true")
    a = p.parse_args(argv)
    torch.set_grad_enabled(False)
    g, entry, fp = load_frozen(a.models, a.pack)
    doc, vec = read_style(a.style, a.pack, fp, vector_size(g))
    v = torch.from_numpy(vec).view(1, -1)
    tag = a.name or "styles"
    sheets = None if a.no_sheet else os.path.join(a.out, "sheets")
    res = evaluate(lambda si, photos: [stylize(g, x, v) for x in photos], [a.painting], load_kodak(a.size, a.limit),
                   VGGFeatures(), 512, [1, 2], sheets, tag, [doc["id"]])[0]
    fig = pack_figures(entry, a.models)
    summary = {"style": doc["id"], "file": os.path.basename(a.style), "painting": os.path.basename(a.painting),
               "content_distance": res["content_distance"], "style_distance": res["style_distance"],
               "photos": res["photos"], "pack": fig,
               "meets_targets": {"style": res["style_distance"] <= fig["target_style_distance"],
                                 "content": res["content_distance"] <= fig["target_content_distance"]},
               "sheet": None if a.no_sheet else f"sheets/{tag}-{doc['id']}.jpg",
               "provenance": doc.get("provenance")}
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, f"{tag}-{doc['id']}.json"), "w") as f:
        json.dump(summary, f, indent=1)
    if a.write_quality:
        doc["quality"] = {"content_distance": res["content_distance"], "style_distance": res["style_distance"],
                          "eval": EVAL}
        doc["vector"] = vec
        write_style(a.style, doc)
    print(json.dumps({k: summary[k] for k in ("style", "content_distance", "style_distance", "pack", "meets_targets")}))


if __name__ == "__main__":
    main()
