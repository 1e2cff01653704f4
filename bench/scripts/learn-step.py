"""One learning step on the CPU: the PyTorch learner (training/styles/learn.py: step_loss, backward,
Adam) against the learning graph in onnxruntime-node (loss + gradient; the optimizer update is
~1,600 numbers), same crops, same machine, same run, rounds interleaved so that load from other
processes falls on both.

    /usr/bin/python3 bench/scripts/learn-step.py [--crop 192] [--batch 1] [--steps 8] [--rounds 3] [--threads 0]

Prints each round's medians, then one JSON line {torchMs, ortMs, ratio, ...} (medians over all steps).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import types

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from training.core.data import ContentCrops, default_shared_dir, list_images, load_rgb  # noqa: E402
from training.core.losses import STYLE_LAYERS, downscale, gram  # noqa: E402
from training.core.ort import ort_outputs  # noqa: E402
from training.core.vgg import VGGFeatures  # noqa: E402
from training.deploy.learn_graph import LEARN_OUTPUTS, gram_names  # noqa: E402
from training.deploy.vgg_external import learn_run_folder  # noqa: E402
from training.styles.learn import DEFAULTS, builtin_vectors, load_frozen, step_loss  # noqa: E402
from training.styles.vector import vector_size  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default=os.path.join(ROOT, "models"))
    p.add_argument("--crop", type=int, default=DEFAULTS["crop"])
    p.add_argument("--batch", type=int, default=DEFAULTS["batch"])
    p.add_argument("--steps", type=int, default=8, help="timed steps per round and runtime")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--threads", type=int, default=0, help="both runtimes (0: each one's default)")
    p.add_argument("--painting", default=os.path.join(default_shared_dir(), "styles", "cezanne.jpg"))
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    man = json.load(open(os.path.join(a.models, "manifest.json")))
    learn = next(m for m in man["models"] if m["id"] == "pastiche-pack16")["learn"]
    with learn_run_folder(a.models, learn) as run_dir:   # the graphs with the VGG shards beside them
        return measure(a, *(os.path.join(run_dir, learn[k]["file"]) for k in ("graph", "grams")))


def measure(a, graph: str, grams_graph: str) -> int:
    g, _, fp = load_frozen(a.models, "pastiche-pack16")
    vec0 = next(iter(builtin_vectors(a.models, "pastiche-pack16", fp, vector_size(g)).values()))
    vgg = VGGFeatures()
    painting = load_rgb(a.painting, max_long_edge=DEFAULTS["style_size"]).unsqueeze(0).float()
    with torch.no_grad():
        targets = {s: [gram(f) for f in vgg(downscale(painting, s), STYLE_LAYERS)] for s in DEFAULTS["scales"]}
    (grams,), _ = ort_outputs(grams_graph, [{"painting": painting.numpy()}], gram_names(DEFAULTS["scales"]))
    data = ContentCrops(list_images([os.path.join(default_shared_dir(), "content", "open")])[:8], a.crop,
                        torch.device("cpu"))
    crops = [data.batch(a.batch) for _ in range(a.steps + 2)]   # 2 warm-up steps
    la = types.SimpleNamespace(**DEFAULTS)
    weights = np.array([la.content_weight, la.style_weight, la.tv_weight], np.float32)
    torch_ms, ort_ms = [], []
    for r in range(a.rounds):
        vec = torch.nn.Parameter(torch.from_numpy(vec0.copy()).view(1, -1))
        opt = torch.optim.Adam([vec], lr=la.lr)
        times = []
        for x in crops:
            t0 = time.perf_counter()
            loss, _, _ = step_loss(g, vgg, vec, x, targets, la)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            with torch.no_grad():
                vec[:, :vec.shape[1] // 2].clamp_(min=DEFAULTS["scale_min"])
            times.append((time.perf_counter() - t0) * 1000)
        torch_ms += times[2:]
        runs = [{"input": x.numpy(), "style_vector": vec0.reshape(1, -1), "loss_weights": weights, **grams}
                for x in crops]
        _, ms = ort_outputs(graph, runs, LEARN_OUTPUTS, threads=a.threads, time=True)
        ort_ms += ms[2:]
        print(f"round {r + 1}: torch {statistics.median(times[2:]):.0f} ms, "
              f"onnxruntime-node {statistics.median(ms[2:]):.0f} ms", flush=True)
    t, o = statistics.median(torch_ms), statistics.median(ort_ms)
    print(json.dumps({"crop": a.crop, "batch": a.batch, "threads": a.threads or "default",
                      "torchThreads": torch.get_num_threads(), "torch": torch.__version__,
                      "steps": len(torch_ms), "torchMs": round(t, 1), "ortMs": round(o, 1), "ratio": round(o / t, 3)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
