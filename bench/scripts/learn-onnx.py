"""learn.py's algorithm with the learning graphs in onnxruntime-node doing the loss and gradient: the
reference for a learner on the engine, and its quality and speed measured against the PyTorch one.
Same arguments as `python3 -m training.styles.learn` (its parser); crops, start, schedule, Adam and
the scale clamp as there, numbers from the manifest's `learn` entry; no preview.

    /usr/bin/python3 bench/scripts/learn-onnx.py PAINTING --id ID --minutes 2 --out DIR [--overwrite]
    /usr/bin/python3 bench/scripts/learn-quality.py --minutes 2 --tag onnx-2-min \\
        --cmd '/usr/bin/python3 bench/scripts/learn-onnx.py {painting} --id {id} --minutes {minutes} --out {out} --overwrite'
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from training.core.data import ContentCrops, default_shared_dir, list_images, load_rgb  # noqa: E402
from training.core.ort import ort_outputs  # noqa: E402
from training.deploy.learn_graph import gram_names  # noqa: E402
from training.deploy.vgg_external import learn_run_folder  # noqa: E402
from training.styles.learn import builtin_vectors, emit, load_frozen, parse_args  # noqa: E402
from training.styles.vector import style_document, vector_size, write_style  # noqa: E402


class Serve:
    """training/tools/ort-serve.mjs: one session, one run per call."""

    def __init__(self, model: str, threads: int):
        self.p = subprocess.Popen(["node", os.path.join(ROOT, "training", "tools", "ort-serve.mjs"), model,
                                   str(threads)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.d = tempfile.mkdtemp()
        json.loads(self.p.stdout.readline())

    def run(self, feeds, names):
        job = {"feeds": {}, "outs": {n: os.path.join(self.d, f"out-{n}.bin") for n in names}}
        for k, v in feeds.items():
            f = os.path.join(self.d, f"in-{k}.bin")
            np.ascontiguousarray(v, np.float32).tofile(f)
            job["feeds"][k] = {"file": f, "dims": list(v.shape)}
        self.p.stdin.write(json.dumps(job) + "\n")
        self.p.stdin.flush()
        dims = json.loads(self.p.stdout.readline())["dims"]
        return {n: np.fromfile(job["outs"][n], np.float32).reshape(dims[n]) for n in names}

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def main(argv=None) -> int:
    a = parse_args(argv)
    t_start = time.time()
    out_path = os.path.join(a.out, f"{a.id}.json")
    if os.path.exists(out_path) and not a.overwrite:
        raise SystemExit(f"Expected a new style id but {out_path} exists (--overwrite replaces it)")
    g, entry, fp = load_frozen(a.models, a.pack)
    with learn_run_folder(a.models, entry["learn"]) as run_dir:   # the graphs with the VGG shards beside them
        return learn_style(a, g, entry["learn"], fp, run_dir, t_start, out_path)


def learn_style(a, g, learn, fp, run_dir: str, t_start: float, out_path: str) -> int:
    size = vector_size(g)
    k = size // 2
    vectors = builtin_vectors(a.models, a.pack, fp, size)
    painting = load_rgb(a.painting, max_long_edge=learn["styleSize"]).unsqueeze(0).float().numpy()
    names = gram_names(learn["scales"])
    (grams,), _ = ort_outputs(os.path.join(run_dir, learn["grams"]["file"]), [{"painting": painting}], names)
    content_dir = a.content or os.path.join(default_shared_dir(), "content", "open")
    data = ContentCrops(list_images([content_dir]), a.crop, torch.device("cpu"), seed=a.seed)
    probe_src = copy.copy(data)
    probe_src.rng, probe_src.crop = random.Random(a.seed + 1), a.probe_size
    probes = probe_src.batch(a.probe_crops).numpy()
    serve = Serve(os.path.join(run_dir, learn["graph"]["file"]), a.threads)
    weights = np.array([a.content_weight, a.style_weight, a.tv_weight], np.float32)

    def run(x, vec):
        return serve.run({"input": x, "style_vector": vec.reshape(1, -1), "loss_weights": weights, **grams},
                         ["loss", "content", "style", "grad"])

    scores = {sid: float(run(probes, v)["style"].mean()) for sid, v in vectors.items()}
    init_id = min(scores, key=scores.get) if a.init == "auto" else a.init
    emit({"event": "init", "style": init_id, "setupS": round(time.time() - t_start, 1)})
    vec = vectors[init_id].astype(np.float32).copy()
    m, v2 = np.zeros_like(vec), np.zeros_like(vec)
    b1, b2, eps = learn["adam"]["beta1"], learn["adam"]["beta2"], learn["adam"]["eps"]
    budget, t0, step, last = a.minutes * 60.0, time.time(), 0, time.time()
    while True:
        elapsed = time.time() - t0
        if (a.steps and step >= a.steps) or (budget and elapsed >= budget):
            break
        progress = max(step / a.steps if a.steps else 0.0, elapsed / budget if budget else 0.0)
        lr = a.lr * min(1.0, (1.0 - progress) / learn["lrDecay"]["lastFraction"])
        o = run(data.batch(a.batch).numpy(), vec)
        grad = o["grad"].reshape(-1)
        step += 1   # torch.optim.Adam, step for step
        m = b1 * m + (1 - b1) * grad
        v2 = b2 * v2 + (1 - b2) * grad * grad
        denom = np.sqrt(v2) / np.sqrt(1 - b2 ** step) + eps
        vec = (vec - (lr / (1 - b1 ** step)) * m / denom).astype(np.float32)
        vec[:k] = np.maximum(vec[:k], learn["scaleMin"])
        if time.time() - last >= a.log_every or step == 1:
            emit({"step": step, "elapsedS": round(time.time() - t_start, 1), "loss": round(float(o["loss"]), 4)})
            last = time.time()
    serve.close()
    train_s = time.time() - t0
    with open(a.painting, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    meta = {"id": a.id, "title": a.title or os.path.splitext(os.path.basename(a.painting))[0], "artist": a.artist,
            "year": a.year, "source": a.source or os.path.basename(a.painting), "sourceSha256": sha,
            "licence": a.licence or a.public_domain,
            "provenance": {"method": "bench/scripts/learn-onnx.py: learn.py's algorithm, loss and gradient from the "
                                     "learning graph in onnxruntime-node", "init": init_id, "steps": step,
                           "trainSeconds": round(train_s, 1)},
            "quality": None}
    os.makedirs(a.out, exist_ok=True)
    write_style(out_path, style_document(meta, a.pack, fp, vec))
    emit({"event": "done", "file": out_path, "steps": step, "trainSeconds": round(train_s, 1),
          "wallSeconds": round(time.time() - t_start, 1)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
