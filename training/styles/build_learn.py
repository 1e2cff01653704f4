"""Write a pack's learning graphs and record them in the manifest (docs/styles.md, "Learning on the
engine"):

    python3 -m training.styles.build_learn [--models models] [--pack pastiche-pack16]

- <file>-learn.onnx: the style learner's loss (learn.py step_loss) and its gradient with respect to
  the style vector, through the frozen generator and VGG19 blocks 1-3 (deploy/learn_graph.py);
- <file>-grams.onnx: the painting's Gram targets, computed once per painting;
where <file> is the pack's fp32 graph without `.onnx`. Both reference the VGG19 weights as external
data, the shards of PASTICHE_VGG_DIR (default: vgg19/ of the shared data), which must be the ones the
graphs are built for (deploy/vgg_external.py SHARDS): run them from a folder that has `vgg19/` beside
them (learn_run_folder). The manifest entry gets `learn`: both file refs with their io names, the
shards (`vgg`: file relative to the graphs' folder, bytes, sha256), learn.py's DEFAULTS (so the
engine's learner copies no numbers) and the parity of onnxruntime-node against torch.autograd of
step_loss on real crops (parity() below, also run by tests/styles/test_learn_graph.py).
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import types
from typing import Dict, List

import numpy as np
import torch

from ..core.data import ContentCrops, default_shared_dir, list_images, load_rgb
from ..core.losses import STYLE_LAYERS, downscale, gram
from ..core.ort import ort_outputs
from ..core.paths import REPO_ROOT
from ..core.vgg import VGGFeatures, default_vgg_dir
from ..deploy.learn_graph import LEARN_OUTPUTS, export_learn_graphs, gram_names
from ..deploy.vgg_external import check_shards, learn_run_folder, vgg_refs
from .learn import DEFAULTS, builtin_vectors, load_frozen, step_loss
from .vector import vector_size

PARITY_PAINTING = "cezanne.jpg"   # in ../shared/data/styles


def learn_settings() -> Dict:
    """learn.py's DEFAULTS as the manifest's `learn` settings (camelCase, loss weights in the order of
    the graph's `loss_weights` input)."""
    d = DEFAULTS
    adam = torch.optim.Adam([torch.zeros(1)]).defaults
    min_scale = inspect.signature(ContentCrops).parameters["min_scale"].default
    return {"styleSize": d["style_size"], "scales": list(d["scales"]), "crop": d["crop"], "batch": d["batch"],
            "lr": d["lr"], "lrDecay": {"shape": "linear", "lastFraction": 0.3,
                                     "how": "lr * min(1, (1 - progress) / lastFraction) before each step; progress: "
                                            "the larger of step / steps and elapsed / budget"},
            "adam": {"beta1": adam["betas"][0], "beta2": adam["betas"][1], "eps": adam["eps"]},
            "crops": {"minScale": min_scale, "flip": 0.5,
                      "how": "a random square of side min(h, w) * uniform(minScale, 1) (at least 16 px) at a random "
                             "place, resized to crop x crop (bilinear, antialiased when reducing), mirrored with "
                             "probability flip; from the open photo set, decoded once"},
            "lossWeights": [d["content_weight"], d["style_weight"], d["tv_weight"]],
            "lossWeightsOrder": ["content", "style", "tv"], "scaleMin": d["scale_min"],
            "probeCrops": d["probe_crops"], "probeSize": d["probe_size"],
            "probes": "the start is the built-in with the lowest style loss on probeCrops crops: the centre square "
                      "of the photos at index round(i (photos - 1) / (probeCrops - 1)) of the sorted photo list, "
                      "resized to probeSize x probeSize (bilinear, antialiased when reducing), not mirrored",
            "painting": "RGB as displayed (an embedded ICC profile converted to sRGB), long edge at most styleSize "
                        "(Lanczos, only ever reduced), no other padding",
            "styleLayers": STYLE_LAYERS}


def grams_of(grams_path: str, painting: np.ndarray) -> Dict[str, np.ndarray]:
    (out,), _ = ort_outputs(grams_path, [{"painting": painting}], gram_names(DEFAULTS["scales"]))
    return out


def parity(models: str, pack: str, graph: str, grams: str, crops: int = 2, sizes=((1, 192), (2, 100))) -> Dict:
    """onnxruntime-node (the graphs) against PyTorch (learn.py step_loss + torch.autograd.grad) on
    real crops of the open photos, a real painting, a built-in vector and a random one."""
    torch.manual_seed(0)
    g, _, fp = load_frozen(models, pack)
    vgg = VGGFeatures()
    shared = default_shared_dir()
    painting = load_rgb(os.path.join(shared, "styles", PARITY_PAINTING),
                        max_long_edge=DEFAULTS["style_size"]).unsqueeze(0).float()
    names = gram_names(DEFAULTS["scales"])
    got = grams_of(grams, painting.numpy())
    with torch.no_grad():
        targets = {s: [gram(f) for f in vgg(downscale(painting, s), STYLE_LAYERS)] for s in DEFAULTS["scales"]}
    want = [t for s in DEFAULTS["scales"] for t in targets[s]]
    gram_err = max(float(np.abs(got[n] - t.numpy()).max() / t.abs().max()) for n, t in zip(names, want, strict=True))
    size = vector_size(g)
    k = size // 2
    builtin = builtin_vectors(models, pack, fp, size)
    rng = np.random.default_rng(0)
    vectors = {"builtin": next(iter(builtin.values())),
               "random": np.concatenate([rng.uniform(0.3, 2.0, k), rng.normal(0, 0.5, k)]).astype(np.float32)}
    files = list_images([os.path.join(shared, "content", "open")])[:8]
    a = types.SimpleNamespace(**DEFAULTS)
    cases: List[Dict] = []
    for batch, crop in sizes:
        data = ContentCrops(files, crop, torch.device("cpu"), seed=crop)
        for vname, vec in vectors.items():
            for _ in range(crops):
                x = data.batch(batch)
                v = torch.from_numpy(vec.copy()).view(1, -1).requires_grad_(True)
                loss, content, style = step_loss(g, vgg, v, x, targets, a)
                (gt,) = torch.autograd.grad(loss, v)
                feeds = {"input": x.numpy(), "style_vector": v.detach().numpy(),
                         "loss_weights": np.array([a.content_weight, a.style_weight, a.tv_weight], np.float32),
                         **got}
                (o,), _ = ort_outputs(graph, [feeds], LEARN_OUTPUTS)
                gt_, go = gt.numpy().reshape(-1), o["grad"].reshape(-1)
                big = np.abs(gt_) > 1e-3 * np.abs(gt_).max()
                cases.append({"vector": vname, "batch": batch, "crop": crop,
                              "loss_rel": abs(float(o["loss"].reshape(-1)[0]) - float(loss)) / abs(float(loss)),
                              "content_rel": float(np.abs(o["content"] - content.detach().numpy()).max()
                                                   / content.abs().max()),
                              "style_rel": float(np.abs(o["style"] - style.detach().numpy()).max() / style.abs().max()),
                              "grad_max_rel": float(np.abs(go - gt_).max() / np.abs(gt_).max()),
                              "grad_elementwise_rel": float((np.abs(go - gt_)[big] / np.abs(gt_)[big]).max()),
                              "grad_elements_compared": int(big.sum())})
    worst = {key: max(c[key] for c in cases) for key in ("loss_rel", "content_rel", "style_rel", "grad_max_rel",
                                                          "grad_elementwise_rel")}
    return {"method": "onnxruntime-node CPU vs learn.py step_loss + torch.autograd.grad (fp32), real crops of "
                      f"content/open, painting {PARITY_PAINTING}; grad_max_rel = max|g_ort - g_torch| / max|g_torch|; "
                      "grad_elementwise_rel over elements with |g_torch| > 1e-3 max|g_torch|",
            "gram_max_rel": gram_err, "worst": worst, "cases": cases}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=os.path.join(REPO_ROOT, "models"))
    p.add_argument("--pack", default="pastiche-pack16")
    p.add_argument("--no-parity", action="store_true", help="skip the parity runs (no shared photos needed)")
    a = p.parse_args(argv)
    man_path = os.path.join(a.models, "manifest.json")
    vgg_dir = default_vgg_dir()
    try:
        check_shards(vgg_dir)
    except ValueError as e:
        raise SystemExit(str(e)) from None
    g, entry, _ = load_frozen(a.models, a.pack)
    base = os.path.splitext(entry["file"])[0]
    refs = export_learn_graphs(g, VGGFeatures(vgg_dir), a.models, base, DEFAULTS["scales"], vgg_dir)
    learn = {"graph": refs["graph"], "grams": refs["grams"], "vgg": vgg_refs(), **learn_settings(),
             "method": "training/deploy/learn_graph.py: loss and d loss / d style_vector of "
                       "training/styles/learn.py step_loss, backward written with inference operators"}
    if not a.no_parity:
        with learn_run_folder(a.models, learn, vgg_dir) as d:
            learn["parity"] = parity(a.models, a.pack, os.path.join(d, refs["graph"]["file"]),
                                     os.path.join(d, refs["grams"]["file"]))
        learn["parity"].pop("cases")
    with open(man_path, encoding="utf-8") as f:
        man = json.load(f)
    next(m for m in man["models"] if m["id"] == a.pack)["learn"] = learn
    tmp = man_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(man, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, man_path)
    print(json.dumps({k: v for k, v in learn.items() if k in ("graph", "grams", "parity")}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
