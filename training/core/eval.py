"""Evaluate generators on the held-out Kodak photos (never used for training).

    python3 -m training.core.eval CHECKPOINT [--name NAME] [--out models/eval]

For every style of the model: mean content distance (relative feature error at the content
layers, against the photo) and mean style distance (relative Gram error at the style layers and
scales, against the painting), both as in training/core/losses.py, over the 24 photos at long edge 512;
plus a contact sheet (the painting, then stylized photos).
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
from typing import Callable, Dict, List, Optional, Union

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .data import default_shared_dir, list_images, load_rgb, to_srgb
from .export import load_checkpoint
from .losses import CONTENT_LAYERS, STYLE_LAYERS, downscale, gram, relative_feature_error, relative_gram_error
from .model import Generator, NormContext
from .ort import n_styles, ort_batch, style_feed_jobs
from .paintings import pack_style_files
from .paths import EVAL_DIR
from .train import style_targets
from .vgg import VGGFeatures

SHEET_PHOTOS = [1, 3, 5, 13, 15, 20, 22]   # indices into kodim01..24 for the contact sheets


def pad4(x: torch.Tensor):
    h, w = x.shape[2:]
    ph, pw = (-h) % 4, (-w) % 4
    return F.pad(x, (0, pw, 0, ph), mode="reflect"), (h, w)


def stylize(g: Generator, x: torch.Tensor, style: Optional[torch.Tensor]) -> torch.Tensor:
    xp, (h, w) = pad4(x)
    with torch.no_grad():
        y = g(xp, NormContext(style=style)) if g.cfg.norm != "batch" else g(xp)
    return y[:, :, :h, :w].clamp(0, 255)


def torch_stylizer(g: Generator) -> Callable[[int, List[torch.Tensor]], List[torch.Tensor]]:
    """Stylizes the photos under style si with the PyTorch generator."""
    def run(si: int, photos: List[torch.Tensor]) -> List[torch.Tensor]:
        onehot = None
        if g.cfg.norm == "cond_instance":
            onehot = torch.zeros(1, g.cfg.n_styles)
            onehot[0, si] = 1
        return [stylize(g, x, onehot) for x in photos]
    return run


def onnx_stylizer(model_path: str) -> Callable[[int, List[torch.Tensor]], List[torch.Tensor]]:
    """Stylizes with onnxruntime-node's CPU provider (what the app runs): any graph with 'input'
    (and 'style'), e.g. the int8 one (training/deploy/quantize.py), which PyTorch cannot run."""
    import onnx
    styles = n_styles(onnx.load(model_path))

    def run(si: int, photos: List[torch.Tensor]) -> List[torch.Tensor]:
        padded = [pad4(x) for x in photos]
        with tempfile.TemporaryDirectory() as d:
            inputs = [xp.numpy().astype(np.float32) for xp, _ in padded]
            ort_batch(model_path, style_feed_jobs(d, inputs, styles, [si], d))
            out = []
            for pi, (xp, (h, w)) in enumerate(padded):
                y = torch.from_numpy(np.fromfile(os.path.join(d, f"y{pi}_{si}.bin"), np.float32).reshape(xp.shape))
                out.append(y[:, :, :h, :w].clamp(0, 255))
            return out
    return run


def evaluate(g: Union[Generator, Callable[[int, List[torch.Tensor]], List[torch.Tensor]]], style_files: List[str],
             photos: List[torch.Tensor], vgg: VGGFeatures,
             style_size: int, scales: List[int], sheet_dir: Optional[str], tag: str,
             style_ids: Optional[List[str]] = None) -> List[Dict]:
    """g: a Generator, or a function (style index, photos) -> stylized photos (onnx_stylizer)."""
    run = torch_stylizer(g) if isinstance(g, Generator) else g
    targets = style_targets(vgg, style_files, style_size, scales, torch.device("cpu"))
    names = sorted(set(CONTENT_LAYERS + STYLE_LAYERS))   # LAYERS order, which is also name order here
    with torch.no_grad():
        photo_feats = [vgg(x, CONTENT_LAYERS) for x in photos]   # once per photo, not per style
    results = []
    for si, sf in enumerate(style_files):
        cd, sd, sheet = [], [], []
        for pi, y in enumerate(run(si, photos)):
            with torch.no_grad():
                fy = vgg(y, names)
                fx = photo_feats[pi]
                cd.append(float(np.mean([relative_feature_error(fy[names.index(layer)], fx[i]).item()
                                         for i, layer in enumerate(CONTENT_LAYERS)])))
                errs = []
                for s in scales:
                    if s == 1:
                        fs = [fy[names.index(layer)] for layer in STYLE_LAYERS]
                    else:
                        fs = vgg(downscale(y, s), STYLE_LAYERS)
                    errs += [relative_gram_error(gram(f), targets[s][i][si:si + 1]).item() for i, f in enumerate(fs)]
                sd.append(float(np.mean(errs)))
            if pi in SHEET_PHOTOS:
                sheet.append(y)
        sid = style_ids[si] if style_ids else os.path.splitext(os.path.basename(sf))[0]
        results.append({"style": sid, "file": os.path.basename(sf), "content_distance": round(float(np.mean(cd)), 4),
                        "style_distance": round(float(np.mean(sd)), 4), "photos": len(photos)})
        print(json.dumps(results[-1]), flush=True)
        if sheet_dir:
            save_sheet(sf, sheet, os.path.join(sheet_dir, f"{tag}-{sid}.jpg"))
    return results


def save_sheet(style_file: str, images: List[torch.Tensor], path: str, cell: int = 256) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with Image.open(style_file) as im:
        tiles = [to_srgb(im)]
    tiles += [Image.fromarray(y[0].permute(1, 2, 0).round().byte().numpy()) for y in images]
    cols = 4
    rows = (len(tiles) + cols - 1) // cols
    sheet = Image.new("RGB", (cols * cell, rows * int(cell * 2 / 3)), (24, 24, 24))
    for i, t in enumerate(tiles):
        t = t.copy()
        t.thumbnail((cell, int(cell * 2 / 3)), Image.LANCZOS)
        r, c = divmod(i, cols)
        sheet.paste(t, (c * cell + (cell - t.width) // 2, r * int(cell * 2 / 3) + (int(cell * 2 / 3) - t.height) // 2))
    sheet.save(path, quality=85)


def load_kodak(long_edge: int, limit: int = 0) -> List[torch.Tensor]:
    files = list_images([os.path.join(default_shared_dir(), "eval", "kodak")])
    if limit:
        files = files[:limit]
    return [load_rgb(f, max_long_edge=long_edge).unsqueeze(0).float() for f in files]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("checkpoint", help="a training checkpoint (.pt), or an ONNX graph run with onnxruntime-node")
    p.add_argument("--pack", default="pastiche-pack16",
                   help="for an ONNX graph: the models/manifest.json entry whose styles it carries")
    p.add_argument("--name", default=None)
    p.add_argument("--out", default=EVAL_DIR)
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--limit", type=int, default=0, help="first N photos only (tests)")
    p.add_argument("--styles", default="", help="comma-separated style indices to evaluate (default: all)")
    p.add_argument("--no-sheets", action="store_true")
    a = p.parse_args(argv)
    torch.set_grad_enabled(False)
    shared = default_shared_dir()
    if a.checkpoint.endswith(".onnx"):
        from .export import sha256
        g = onnx_stylizer(a.checkpoint)
        ck = {"styles": pack_style_files(a.pack), "onnx_sha256": sha256(a.checkpoint)}
        name = a.name or os.path.splitext(os.path.basename(a.checkpoint))[0]
    else:
        ck = torch.load(a.checkpoint, map_location="cpu")
        g = load_checkpoint(a.checkpoint)
        name = a.name or os.path.basename(os.path.dirname(os.path.abspath(a.checkpoint)))
    style_files = [os.path.join(shared, "styles", s) for s in ck["styles"]]
    only = [int(i) for i in a.styles.split(",") if i.strip()]
    if only:
        run = torch_stylizer(g) if isinstance(g, Generator) else g
        pick = list(only)
        g = lambda si, photos: run(pick[si], photos)   # noqa: E731  (evaluate counts from 0)
        style_files = [style_files[i] for i in pick]
    res = evaluate(g, style_files, load_kodak(a.size, a.limit), VGGFeatures(), 512, [1, 2],
                   None if a.no_sheets else os.path.join(a.out, "sheets"), name)
    os.makedirs(a.out, exist_ok=True)
    summary = {"model": name, "checkpoint_step": ck.get("step"), "images_seen": ck.get("images"),
               "size": a.size, "styles": res, **({"onnx_sha256": ck["onnx_sha256"]} if "onnx_sha256" in ck else {}),
               "mean_content_distance": round(float(np.mean([r["content_distance"] for r in res])), 4),
               "mean_style_distance": round(float(np.mean([r["style_distance"] for r in res])), 4)}
    with open(os.path.join(a.out, f"{name}.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps({k: v for k, v in summary.items() if k != "styles"}))


if __name__ == "__main__":
    main()
