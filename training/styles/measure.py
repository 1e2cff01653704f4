"""Time per training step of training/styles/learn.py for several crop sizes and batch sizes, on
this machine (median of --steps timed steps after one warm-up step, same process, same photos).

    python3 -m training.styles.measure [--painting cezanne.jpg] [--settings 128x1 128x2 ...]

Prints one JSON line per setting: seconds per step, crops and megapixels per second.

    python3 -m training.styles.measure --validate A.json B.json ... [--painting P]

instead scores style files (e.g. runs of learn.py at different settings) on 8 fixed 192 px crops of
the research photo set, which learn.py never trains on: content, style and total loss as trained.

    python3 -m training.styles.measure --gram-nearest [--painting P]

ranks the pack's built-in paintings by the relative Gram error of their VGG features to P's (the
paintings themselves, at 512 px, scales 1 and 2): the alternative to learn.py's choice of a
starting style, which needs no paintings, only the style vectors.
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import torch

from ..core.data import ContentCrops, default_shared_dir, list_images
from ..core.train import style_targets
from ..core.vgg import VGGFeatures
from .learn import DEFAULTS, load_frozen, step_loss

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_THREADS = torch.get_num_threads()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--painting", default=os.path.join(default_shared_dir(), "styles", "cezanne.jpg"))
    p.add_argument("--settings", nargs="+", default=["128x1", "128x2", "128x4", "192x1", "192x2", "256x1", "256x2"])
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--models", default=os.path.join(HERE, "..", "..", "models"))
    p.add_argument("--threads", type=int, nargs="+", default=[0], help="torch CPU threads to try (0: default)")
    p.add_argument("--validate", nargs="+", default=None, help="style files to score instead of timing")
    p.add_argument("--gram-nearest", action="store_true", help="rank the built-in paintings by Gram distance")
    a = p.parse_args(argv)
    if a.validate:
        return validate(a)
    if a.gram_nearest:
        return gram_nearest(a)
    g, _, _ = load_frozen(a.models, "pastiche-pack16")
    vgg = VGGFeatures()
    files = list_images([os.path.join(default_shared_dir(), "content", "open")])
    la = argparse.Namespace(**{k: v for k, v in DEFAULTS.items()})
    targets = style_targets(vgg, [a.painting], la.style_size, la.scales, torch.device("cpu"))
    data = ContentCrops(files, 256, torch.device("cpu"))
    vec = torch.nn.Parameter(torch.ones(1, 1600))
    opt = torch.optim.Adam([vec], lr=1e-3)
    for s, threads in [(s, t) for t in a.threads for s in a.settings]:
        torch.set_num_threads(threads or DEFAULT_THREADS)
        crop, batch = (int(v) for v in s.split("x"))
        data.crop = crop
        times = []
        for i in range(a.steps + 1):   # the first step warms up (allocations, oneDNN primitives)
            t = time.perf_counter()
            loss, _, _ = step_loss(g, vgg, vec, data.batch(batch), targets, la)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if i:
                times.append(time.perf_counter() - t)
        sec = float(np.median(times))
        print(json.dumps({"crop": crop, "batch": batch, "s_per_step": round(sec, 3),
                          "crops_per_s": round(batch / sec, 3), "mpix_per_s": round(batch * crop * crop / sec / 1e6, 4),
                          "threads": torch.get_num_threads(), "load1": round(os.getloadavg()[0], 2)}), flush=True)


def gram_nearest(a):
    from ..core.losses import STYLE_LAYERS, relative_gram_error
    from ..core.paintings import STYLE_IDS
    vgg = VGGFeatures()
    la = argparse.Namespace(**DEFAULTS)
    names = list(STYLE_IDS)
    t = style_targets(vgg, [a.painting] + [os.path.join(default_shared_dir(), "styles", n) for n in names],
                      la.style_size, la.scales, torch.device("cpu"))
    scores = {}
    for j, n in enumerate(names, start=1):
        errs = [float(relative_gram_error(t[s][i][j:j + 1], t[s][i][0:1]))
                for s in la.scales for i in range(len(STYLE_LAYERS))]
        scores[STYLE_IDS[n]] = round(float(np.mean(errs)), 4)
    print(json.dumps({"painting": os.path.basename(a.painting),
                      "gram_distance": dict(sorted(scores.items(), key=lambda kv: kv[1]))}))


def validate(a):
    from .vector import read_style
    g, _, fp = load_frozen(a.models, "pastiche-pack16")
    vgg = VGGFeatures()
    la = argparse.Namespace(**DEFAULTS)
    targets = style_targets(vgg, [a.painting], la.style_size, la.scales, torch.device("cpu"))
    files = list_images([os.path.join(default_shared_dir(), "content", "research")])
    x = ContentCrops(files[:: max(1, len(files) // 40)], 192, torch.device("cpu"), seed=123).batch(8)
    with torch.no_grad():
        for f in a.validate:
            doc, vec = read_style(f, "pastiche-pack16", fp, 1600)
            loss, content, style = step_loss(g, vgg, torch.from_numpy(vec).view(1, -1), x, targets, la)
            print(json.dumps({"file": f, "loss": round(float(loss), 4), "content": round(float(content.mean()), 4),
                              "style": round(float(style.mean()), 4),
                              "provenance": doc.get("provenance", {}).get("settings")}),
                  flush=True)


if __name__ == "__main__":
    main()
