"""Perceptual losses. All are *relative* errors, so weights are comparable across layers and
styles, and the same functions serve as evaluation distances (training/core/eval.py)."""
from __future__ import annotations

from typing import Callable, Dict, List, NamedTuple, Sequence, Union

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


# vgg(images, layers) -> the requested activations in layer order (training/core/vgg.py: VGGFeatures).
Features = Callable[[torch.Tensor, Sequence[str]], List[torch.Tensor]]
# {scale: [Gram targets [S, C, C] per style layer]} (training/core/train.py: style_targets).
StyleTargets = Dict[int, List[torch.Tensor]]
# Which target each sample of the batch is scored against: a [B] index tensor, or a slice whose one
# target broadcasts over the batch.
StyleIndex = Union[torch.Tensor, slice]


class PerceptualLoss(NamedTuple):
    total: torch.Tensor     # scalar: the weighted sum, averaged over the batch (what is minimized)
    content: torch.Tensor   # [B] unweighted, like style and tv
    style: torch.Tensor
    tv: torch.Tensor


def multiscale_style_loss(vgg: Features, y: torch.Tensor, targets: StyleTargets, style_idx: StyleIndex,
                          scales: Sequence[int], full_scale: List[torch.Tensor] | None = None) -> torch.Tensor:
    """Per-sample relative Gram error of y, summed over STYLE_LAYERS and scales. full_scale: y's
    STYLE_LAYERS activations where the caller already has them (scale 1 then costs no VGG pass)."""
    style = 0.0
    for s in scales:
        fy = full_scale if s == 1 and full_scale is not None else vgg(downscale(y, s), STYLE_LAYERS)
        for i, f in enumerate(fy):
            style = style + relative_gram_error(gram(f), targets[s][i][style_idx])
    return style


def perceptual_loss(vgg: Features, y: torch.Tensor, x: torch.Tensor, targets: StyleTargets, style_idx: StyleIndex,
                    *, scales: Sequence[int], content_weight: float, style_weight: float,
                    tv_weight: float) -> PerceptualLoss:
    """The generator's training loss for stylizations y of photos x: content (CONTENT_LAYERS) +
    multi-scale Gram style + total variation, weighted. Shared by the pack trainer and style learning."""
    feats_y = vgg(y, ALL_LAYERS)
    with torch.no_grad():
        feats_x = vgg(x, CONTENT_LAYERS)
    content = sum(relative_feature_error(a, b)
                  for a, b in zip(select(feats_y, ALL_LAYERS, CONTENT_LAYERS), feats_x, strict=True))
    style = multiscale_style_loss(vgg, y, targets, style_idx, scales, select(feats_y, ALL_LAYERS, STYLE_LAYERS))
    tv = total_variation(y)
    total = content_weight * content + style_weight * style + tv_weight * tv
    return PerceptualLoss(total.mean(), content, style, tv)
