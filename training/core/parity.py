"""PyTorch vs onnxruntime-node parity for an exported generator (max/mean absolute difference)."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from .model import Generator
from .paths import REPO_ROOT



def ort_batch(model_path: str, jobs: List[Dict], ranges=False, threads: int = 0) -> Dict:
    """Runs training/tools/ort-batch.mjs: one onnxruntime-node session (CPU provider) for all jobs."""
    with tempfile.TemporaryDirectory() as d:
        spec = os.path.join(d, "jobs.json")
        with open(spec, "w") as f:
            json.dump({"model": model_path, "jobs": jobs, "ranges": ranges, "threads": threads}, f)
        r = subprocess.run(["node", os.path.join(REPO_ROOT, "training", "tools", "ort-batch.mjs"), spec],
                           capture_output=True, text=True, cwd=REPO_ROOT)
        if r.returncode != 0:
            raise RuntimeError(f"onnxruntime-node failed on {model_path}: {r.stderr.strip()[-2000:]}")
        return json.loads(r.stdout.strip().splitlines()[-1])


def ort_run(model_path: str, feeds: Dict[str, np.ndarray]) -> np.ndarray:
    """One run: the model's first output for these float32 feeds."""
    with tempfile.TemporaryDirectory() as d:
        job = {"feeds": {}, "out": os.path.join(d, "out.bin")}
        for name, arr in feeds.items():
            f = os.path.join(d, f"{name}.bin")
            np.ascontiguousarray(arr, dtype=np.float32).tofile(f)
            job["feeds"][name] = {"file": f, "dims": list(arr.shape)}
        dims = ort_batch(model_path, [job])["dims"][0]
        return np.fromfile(job["out"], dtype=np.float32).reshape(dims)


def check(g: Generator, model_path: str, sizes: Sequence[Tuple[int, int]] = ((64, 96), (132, 200)),
          style_index: int = 0, seed: int = 0, tiles: bool = False) -> List[Dict]:
    # model_path may be any of the graphs: full, single (no stats), or tiles (fed the stats).
    """tiles: model_path is a tiles graph; it is fed the whole-image statistics PyTorch computed."""
    torch.manual_seed(seed)
    g = g.eval()
    out = []
    for (h, w) in sizes:
        x = torch.rand(1, 3, h, w) * 255
        feeds = {"input": x.numpy()}
        style: Optional[torch.Tensor] = None
        if g.cfg.norm == "cond_instance":
            style = torch.zeros(1, g.cfg.n_styles)
            style[0, style_index] = 1
            feeds["style"] = style.numpy()
        with torch.no_grad():
            ref_t, stats = g.forward_with_stats(x, style)
            ref = ref_t.clamp(0, 255).numpy()
        if tiles:
            feeds["stats"] = stats.numpy()
        y = ort_run(model_path, feeds)
        out.append({"size": f"{w}x{h}", "max_abs_diff": float(np.abs(y - ref).max()),
                    "mean_abs_diff": float(np.abs(y - ref).mean())})
    return out
