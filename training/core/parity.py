"""PyTorch vs onnxruntime-node parity for an exported generator (max/mean absolute difference)."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from .model import Generator
from .ort import ort_run


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
