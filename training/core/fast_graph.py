"""Exact inference rewrites of a trained Generator, for a faster ONNX graph (docs/performance.md).

The function is unchanged (fp32 differences ~1e-4 on the 0-255 scale); only the operations differ:
- nearest x2 upsample -> reflection pad 1 -> 3x3 conv becomes edge pad 1 at low resolution ->
  2x2 conv to 4x the channels -> pixel shuffle -> crop 1 (sub-pixel form): 2.25x fewer MACs, and
  no full-resolution Resize or Pad.
- the final 9x9 conv to 3 channels becomes a stride-S conv to 3*S*S channels + pixel shuffle: a
  3-channel conv wastes most of ONNX Runtime's 16-channel-blocked (NCHWc) CPU kernel.
"""
from __future__ import annotations

import math
from typing import Dict, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from .model import ConvNormRelu, Generator, NormContext

# Taps of a 3-tap kernel seen by the two output phases of a nearest x2 upsample, on a 2-pixel
# low-resolution window starting one pixel above: phase 0 = odd rows (k0+k1, k2), phase 1 = even
# rows (k0, k1+k2).
_PHASE_TAPS = torch.tensor([[[1., 1., 0.], [0., 0., 1.]],
                            [[1., 0., 0.], [0., 1., 1.]]])


# Inverse of _PHASE_TAPS: k0 = phase 1 tap 0, k2 = phase 0 tap 1, k1 = phase 0 tap 0 - k0.
_TAPS_TO_KERNEL = torch.tensor([[[0., 0.], [1., 0.]],
                                [[1., 0.], [-1., 0.]],
                                [[0., 1.], [0., 0.]]])


class SubPixelUp(nn.Module):
    """Exact replacement for ConvNormRelu(upsample=True) with a 3x3 conv."""

    def __init__(self, layer: ConvNormRelu):
        super().__init__()
        conv = layer.conv.conv
        assert layer.upsample and conv.kernel_size == (3, 3) and conv.stride == (1, 1)
        w = conv.weight.detach()
        co, ci = w.shape[:2]
        a = _PHASE_TAPS.to(w.dtype)
        wn = torch.einsum("pik,qjl,ockl->opqcij", a, a, w).reshape(co * 4, ci, 2, 2)
        self.conv = nn.Conv2d(ci, co * 4, 2)
        self.conv.weight.data.copy_(wn)
        self.conv.bias.data.copy_(conv.bias.detach().repeat_interleave(4))
        self.norm, self.relu = layer.norm, layer.relu

    def forward(self, x: torch.Tensor, ctx: NormContext) -> torch.Tensor:
        h, w = x.shape[2], x.shape[3]
        y = F.pixel_shuffle(self.conv(F.pad(x, (1, 1, 1, 1), mode="replicate")), 2)
        y = y[:, :, 1:2 * h + 1, 1:2 * w + 1]
        y = self.norm(y, ctx)
        return F.relu(y) if self.relu else y


class StridedOut(nn.Module):
    """Exact replacement for the final reflection-padded KxK conv + tanh, as a stride-s conv."""

    def __init__(self, out_layer: nn.Module, stride: int):
        super().__init__()
        conv = out_layer.conv
        k = conv.kernel_size[0]
        w = conv.weight.detach()
        co, ci = w.shape[:2]
        kn = k - 1 + stride
        wn = torch.zeros(co, stride, stride, ci, kn, kn, dtype=w.dtype)
        for a in range(stride):
            for b in range(stride):
                wn[:, a, b, :, a:a + k, b:b + k] = w
        self.pad = k // 2
        self.stride = stride
        self.conv = nn.Conv2d(ci, co * stride * stride, kn, stride)
        self.conv.weight.data.copy_(wn.reshape(co * stride * stride, ci, kn, kn))
        self.conv.bias.data.copy_(conv.bias.detach().repeat_interleave(stride * stride))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p = self.pad
        return F.pixel_shuffle(self.conv(F.pad(x, (p, p, p, p), mode="reflect")), self.stride)


class FastGenerator(nn.Module):
    """Same inputs, outputs and statistics order as Generator; faster operations."""

    def __init__(self, g: Generator, out_stride: int = 2, subpixel: bool = True):
        super().__init__()
        self.g = g
        self.cfg = g.cfg
        self.up = nn.ModuleList([SubPixelUp(m) if subpixel else m for m in g.up])
        self.out = StridedOut(g.out, out_stride) if out_stride > 1 else g.out

    @property
    def stats_size(self) -> int:
        return self.g.stats_size

    def receptive_field(self) -> int:
        return self.g.receptive_field()

    def forward(self, x: torch.Tensor, ctx: Optional[NormContext] = None) -> torch.Tensor:
        ctx = ctx or NormContext()
        h = (x - 127.5) / 127.5
        for layer in self.g.down:
            h = layer(h, ctx)
        for block in self.g.res:
            h = block(h, ctx)
        for layer in self.up:
            h = layer(h, ctx)
        return 127.5 * (torch.tanh(self.out(h)) + 1.0)

    forward_with_stats = Generator.forward_with_stats
    forward_tiles = Generator.forward_tiles
    forward_single = Generator.forward_single


def training_state_dict(rewritten: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """The Generator state dict behind an exported FastGenerator's weights (names as exported under
    a 'g.' wrapper: 'g.g.*' unchanged modules, 'g.up.N.conv.*' and 'g.out.conv.*' rewritten)."""
    sd = {}
    for name, t in rewritten.items():
        if name.startswith("g.g."):
            sd[name[4:]] = t
    for name, t in rewritten.items():
        parts = name.split(".")
        if name.startswith("g.up.") and parts[3] == "conv":
            i, kind = parts[2], parts[4]
            if kind == "weight":
                co, ci = t.shape[0] // 4, t.shape[1]
                b = _TAPS_TO_KERNEL.to(t.dtype)
                w = torch.einsum("kpi,lqj,opqcij->ockl", b, b, t.reshape(co, 2, 2, ci, 2, 2))
                sd[f"up.{i}.conv.conv.weight"] = w.contiguous()
            else:
                sd[f"up.{i}.conv.conv.bias"] = t[::4].contiguous()
        elif name.startswith("g.out.conv."):
            kind = parts[3]
            if kind == "weight":
                kn = t.shape[2]
                stride = math.isqrt(t.shape[0] // 3)   # 3 * stride^2 output channels
                k = kn - stride + 1
                w = t.reshape(3, stride, stride, t.shape[1], kn, kn)[:, 0, 0, :, :k, :k]
                sd["out.conv.weight"] = w.contiguous()
            else:
                stride2 = t.shape[0] // 3
                sd["out.conv.bias"] = t[::stride2].contiguous()
    return sd
