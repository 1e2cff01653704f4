"""Perceptual losses. All are *relative* errors, so weights are comparable across layers and
styles, and the same functions serve as evaluation distances (training/core/eval.py)."""
from __future__ import annotations

from typing import List, Sequence

import torch
import torch.nn.functional as F

STYLE_LAYERS = ["relu1_2", "relu2_2", "relu3_2", "relu3_4"]
CONTENT_LAYERS = ["relu2_2", "relu3_2"]
ALL_LAYERS = sorted(set(STYLE_LAYERS + CONTENT_LAYERS),
                    key=["relu1_1", "relu1_2", "relu2_1", "relu2_2", "relu3_1", "relu3_2", "relu3_3", "relu3_4"].index)


def gram(f: torch.Tensor) -> torch.Tensor:
    b, c, h, w = f.shape
    f = f.float().reshape(b, c, h * w)
    return f @ f.transpose(1, 2) / (c * h * w)


def relative_gram_error(g: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Per-sample ||G - T||^2 / ||T||^2. g, target: [B, C, C]."""
    num = ((g - target) ** 2).sum(dim=(1, 2))
    den = (target ** 2).sum(dim=(1, 2)) + 1e-12
    return num / den


def relative_feature_error(f: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    num = ((f.float() - target.float()) ** 2).mean(dim=(1, 2, 3))
    den = (target.float() ** 2).mean(dim=(1, 2, 3)) + 1e-12
    return num / den


def total_variation(y: torch.Tensor) -> torch.Tensor:
    """Mean absolute neighbour difference per sample, in units of the 0..255 range / 255."""
    dx = (y[:, :, :, 1:] - y[:, :, :, :-1]).abs().mean(dim=(1, 2, 3))
    dy = (y[:, :, 1:, :] - y[:, :, :-1, :]).abs().mean(dim=(1, 2, 3))
    return (dx + dy) / 255.0


def downscale(x: torch.Tensor, factor: int) -> torch.Tensor:
    return x if factor == 1 else F.avg_pool2d(x, factor)


def select(feats: List[torch.Tensor], layers: Sequence[str], wanted: Sequence[str]) -> List[torch.Tensor]:
    return [feats[list(layers).index(name)] for name in wanted]
