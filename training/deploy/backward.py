"""Backward passes written with forward operators only, for learning graphs that run on any
onnxruntime provider (no training operators). Each function is the exact gradient of one forward
piece of core/model.py, core/vgg.py or core/losses.py; tests/deploy/test_backward.py checks every one
against torch.autograd.

Sizes come from the tensors themselves (`_count`), never from Python ints, so an exported graph
keeps dynamic batch, height and width.
"""
from __future__ import annotations

from typing import Tuple

import torch
import torch.nn.functional as F

from ..core.model import EPS


def _count(t: torch.Tensor, dims: Tuple[int, ...]) -> torch.Tensor:
    """Number of elements over `dims`, as a float tensor (a Shape op in the graph, not a constant)."""
    s = torch._shape_as_tensor(t)
    n = s[dims[0]]
    for d in dims[1:]:
        n = n * s[d]
    return n.to(t.dtype)


def flip_t(w: torch.Tensor) -> torch.Tensor:
    """[O, I, k, k] -> [I, O, k, k] flipped in space: the convolution whose output is a stride-1
    convolution's input gradient (a transposed convolution, written as an ordinary Conv)."""
    k = int(w.shape[2])   # weights are constants: a Python int, also while tracing
    rev = torch.arange(k - 1, -1, -1)
    return w.transpose(0, 1).index_select(2, rev).index_select(3, rev)


def _rows(t: torch.Tensor, dim: int, a, b) -> torch.Tensor:
    idx = [slice(None)] * t.dim()
    idx[dim] = slice(a, b)
    return t[tuple(idx)]


def _reflect_fold_dim(t: torch.Tensor, p: int, dim: int) -> torch.Tensor:
    """Gradient of reflection padding by p along one dim: the padded rows are added back onto the
    rows they mirror (padded row j < p is original row p - j; the bottom likewise)."""
    c = _rows(t, dim, p, -p)
    top, bot = _rows(t, dim, 0, p), _rows(t, dim, -p, None)
    if p > 1:
        rev = torch.arange(p - 1, -1, -1)
        top, bot = top.index_select(dim, rev), bot.index_select(dim, rev)
    return torch.cat([_rows(c, dim, 0, 1), _rows(c, dim, 1, p + 1) + top, _rows(c, dim, p + 1, -(p + 1)),
                      _rows(c, dim, -(p + 1), -1) + bot, _rows(c, dim, -1, None)], dim)


def reflect_pad_grad(g: torch.Tensor, p: int) -> torch.Tensor:
    """d/dx of F.pad(x, (p, p, p, p), mode='reflect'), given the gradient g of the padded tensor."""
    return _reflect_fold_dim(_reflect_fold_dim(g, p, 2), p, 3)


def conv_input_grad(g: torch.Tensor, w: torch.Tensor, padding: int) -> torch.Tensor:
    """Input gradient of a stride-1 F.conv2d(x, w, padding=padding) (zero padding; 0 for 'valid')."""
    return F.conv2d(g, flip_t(w), padding=int(w.shape[2]) - 1 - padding)


def conv_s2_input_grad(g: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Input gradient of a stride-2 3x3 'valid' F.conv2d on an input of even size + 2 (a reflection-
    padded even-sized map): the last padded row/column is never read, hence output_padding 1."""
    return F.conv_transpose2d(g, w, stride=2, output_padding=1)


def relu_grad(g: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """out = relu(x): the gradient passes where out > 0 (as torch's threshold_backward)."""
    return g * (out > 0).to(g.dtype)


def up2(t: torch.Tensor) -> torch.Tensor:
    return F.interpolate(t, scale_factor=2.0, mode="nearest")


def maxpool_grad(g: torch.Tensor, x: torch.Tensor, pooled: torch.Tensor) -> torch.Tensor:
    """Gradient of F.max_pool2d(x, 2): each window's gradient goes to its first maximum in row-major
    order, as torch's kernel does. Equal maxima are common: the generator's output saturates at 0 or
    255 (tanh) over flat regions, and VGG maps of a constant patch are constant. A window of ReLU
    zeros gets its gradient at a zero, which the ReLU mask that follows removes. An odd size (a
    floor-dropped last row or column) gets zero gradient there, as in torch."""
    h, w = pooled.shape[2], pooled.shape[3]   # tensors while tracing: the slices stay dynamic
    xe = x[:, :, :2 * h, :2 * w]
    # Float 0/1 masks rather than boolean And/Or/Not: fewer operator kinds for a provider to support.
    taken = (xe[:, :, 0::2, 0::2] == pooled).to(g.dtype)
    parts = [g * taken]
    for a in (xe[:, :, 0::2, 1::2], xe[:, :, 1::2, 0::2]):
        m = (a == pooled).to(g.dtype) * (1.0 - taken)
        taken = taken + m
        parts.append(g * m)
    parts.append(g * (1.0 - taken))
    ge = F.pixel_shuffle(torch.stack(parts, 2).flatten(1, 2), 2)
    return F.pad(ge, [0, x.shape[3] - 2 * w, 0, x.shape[2] - 2 * h])


def up2_grad(g: torch.Tensor) -> torch.Tensor:
    """Gradient of nearest 2x upsampling: the sum of each 2x2 block."""
    return F.avg_pool2d(g, 2) * 4.0


def avgpool2_grad(g: torch.Tensor) -> torch.Tensor:
    """Gradient of F.avg_pool2d(x, 2) (even sizes): each input pixel gets a quarter."""
    return up2(g) * 0.25


def instance_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor):
    """model.Norm (instance mode) forward: (y, xhat, std). gamma, beta: [1, C]. Biased variance as
    E[x^2] - E[x]^2 clamped at 0, std = sqrt(var + EPS), as model.py."""
    mean = x.mean(dim=(2, 3), keepdim=True)
    var = (x.pow(2).mean(dim=(2, 3), keepdim=True) - mean * mean).clamp(min=0.0)
    std = torch.sqrt(var + EPS)
    xhat = (x - mean) / std
    return xhat * gamma[:, :, None, None] + beta[:, :, None, None], xhat, std


def instance_norm_grad(g: torch.Tensor, xhat: torch.Tensor, std: torch.Tensor, gamma: torch.Tensor):
    """(dx, dgamma [C], dbeta [C]) of instance_norm, gamma/beta shared by the batch. The closed form
    assumes the variance clamp is inactive (var > 0; a constant channel has no gradient anyway)."""
    dbeta = g.sum(dim=(0, 2, 3))
    gx = g * xhat
    dgamma = gx.sum(dim=(0, 2, 3))
    a = gamma[:, :, None, None] / std
    dx = a * (g - g.mean(dim=(2, 3), keepdim=True) - xhat * gx.mean(dim=(2, 3), keepdim=True))
    return dx, dgamma, dbeta


def tanh_out_grad(g: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """y = 127.5 * (tanh(z) + 1), t = tanh(z): dy/dz = 127.5 * (1 - t^2)."""
    return g * (127.5 * (1.0 - t * t))


def total_variation_grad(y: torch.Tensor) -> torch.Tensor:
    """Per-sample gradient of losses.total_variation (sign(0) = 0, as torch's abs backward)."""
    dx = y[:, :, :, 1:] - y[:, :, :, :-1]
    dy = y[:, :, 1:, :] - y[:, :, :-1, :]
    sx = torch.sign(dx) / (_count(dx, (1, 2, 3)) * 255.0)
    sy = torch.sign(dy) / (_count(dy, (1, 2, 3)) * 255.0)
    return (F.pad(sx, (1, 0)) - F.pad(sx, (0, 1))) + (F.pad(sy, (0, 0, 1, 0)) - F.pad(sy, (0, 0, 0, 1)))


def gram(f: torch.Tensor) -> torch.Tensor:
    """losses.gram with a dynamic size: F F^T / (C H W)."""
    m = f.flatten(2)
    return torch.matmul(m, m.transpose(1, 2)) / _count(f, (1, 2, 3))


def relative_gram_error(gm: torch.Tensor, target: torch.Tensor):
    """(per-sample error [B], d error / d gram [B, C, C]) of losses.relative_gram_error."""
    d = gm - target
    den = (target * target).sum(dim=(1, 2)) + 1e-12
    return (d * d).sum(dim=(1, 2)) / den, 2.0 * d / den[:, None, None]


def gram_grad(f: torch.Tensor, dg: torch.Tensor) -> torch.Tensor:
    """Feature gradient of gram(f) for a symmetric dG: 2 dG F / (C H W)."""
    return torch.matmul(dg, f.flatten(2)).reshape_as(f) * (2.0 / _count(f, (1, 2, 3)))


def relative_feature_error(f: torch.Tensor, target: torch.Tensor):
    """(per-sample error [B], d error / d f) of losses.relative_feature_error (target constant)."""
    d = f - target
    n = _count(f, (1, 2, 3))
    den = (target * target).mean(dim=(1, 2, 3)) + 1e-12
    return (d * d).mean(dim=(1, 2, 3)) / den, d * (2.0 / (n * den))[:, None, None, None]
