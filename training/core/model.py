"""Johnson et al. (2016) residual generator with instance normalization (Ulyanov et al. 2016).

- Reflection padding before every convolution (no zero-padding border artefacts).
- Upsampling by nearest resize + convolution (no transposed-conv checkerboards).
- Normalization is one of: 'instance' (IN, the default), 'batch' (BN, for the paper's
  comparison) or 'cond_instance' (conditional IN, Dumoulin et al. 2017: one network, many styles,
  a per-style scale and shift; a style blend mixes those parameters).
- Every IN layer can report the mean/std it used (`stats`) and can be driven by external
  statistics, so a large photo processed in tiles is normalized with the whole photo's statistics.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

EPS = 1e-5


@dataclass
class GeneratorConfig:
    width: int = 16          # channels of the first conv; Johnson's IN models used 16 (half of 32)
    res_blocks: int = 5
    norm: str = "instance"   # instance | batch | cond_instance
    n_styles: int = 1

    def to_dict(self) -> dict:
        return asdict(self)


class NormContext:
    """Per-forward state shared by all norm layers: style weights and statistics in/out."""

    def __init__(self, style: Optional[torch.Tensor] = None, stats_in: Optional[torch.Tensor] = None,
                 collect: bool = False, fused: bool = False, style_vector: Optional[torch.Tensor] = None):
        self.style = style          # [B, S] style weights (cond_instance)
        # [B, 2K] a style's own scale/shift (training/styles/vector.py): gamma of every norm in
        # `stats` column order, then beta in the same order; overrides the layer's parameters.
        self.style_vector = style_vector
        self.vector_offset = 0      # column cursor into style_vector's gamma half
        self.fused = fused          # one InstanceNormalization op (export of the single-pass graph)
        self.stats_in = stats_in    # [2, K] mean/std rows to use instead of computing them
        self.offset = 0             # column cursor into stats_in
        self.collect = collect
        self.means: List[torch.Tensor] = []
        self.stds: List[torch.Tensor] = []


class Norm(nn.Module):
    def __init__(self, channels: int, mode: str, n_styles: int):
        super().__init__()
        self.mode = mode
        self.channels = channels
        if mode == "batch":
            self.bn = nn.BatchNorm2d(channels, affine=True)
        elif mode in ("instance", "cond_instance"):
            s = n_styles if mode == "cond_instance" else 1
            self.gamma = nn.Parameter(torch.ones(s, channels))
            self.beta = nn.Parameter(torch.zeros(s, channels))
        else:
            raise ValueError(f"Expected one of instance, batch, cond_instance for norm but received {mode!r}")

    def affine(self, ctx: NormContext):
        """Scale and shift, [B or 1, C]: conditional IN blends the styles' parameters."""
        if ctx.style_vector is not None:
            k = ctx.style_vector.shape[1] // 2
            c0 = ctx.vector_offset
            ctx.vector_offset += self.channels
            return ctx.style_vector[:, c0:ctx.vector_offset], ctx.style_vector[:, k + c0:k + ctx.vector_offset]
        if self.mode == "cond_instance" and ctx.style is not None:
            return ctx.style.to(self.gamma.dtype) @ self.gamma, ctx.style.to(self.beta.dtype) @ self.beta
        return self.gamma[:1], self.beta[:1]

    def forward(self, x: torch.Tensor, ctx: NormContext) -> torch.Tensor:
        if self.mode == "batch":
            return self.bn(x)
        if ctx.fused and ctx.stats_in is None and not ctx.collect and x.shape[0] == 1:
            # The same numbers as below from ONNX's fused InstanceNormalization (exported by
            # F.instance_norm): no statistics out, ~5% faster on the CPU (docs/performance.md).
            gamma, beta = self.affine(ctx)
            return F.instance_norm(x, weight=gamma[0].to(x.dtype), bias=beta[0].to(x.dtype), eps=EPS)
        if ctx.stats_in is not None:
            c0 = ctx.offset
            ctx.offset += self.channels
            mean = ctx.stats_in[0, c0:ctx.offset].view(1, -1, 1, 1)
            std = ctx.stats_in[1, c0:ctx.offset].view(1, -1, 1, 1)
        else:
            # Computed in fp32 (fp16 sums over a 4K image lose precision), as E[x^2] - E[x]^2: two
            # reductions and one product over the big tensor instead of four passes (docs/performance.md).
            xf = x.float()
            # pow(2), not x * x: ONNX Runtime's CPU graph then squares the plain-layout copy that
            # ReduceMean reads anyway, instead of reordering a second full-size blocked tensor.
            mean = xf.mean(dim=(2, 3), keepdim=True)
            var = (xf.pow(2).mean(dim=(2, 3), keepdim=True) - mean * mean).clamp(min=0.0)
            std = torch.sqrt(var + EPS)
            mean, std = mean.to(x.dtype), std.to(x.dtype)
        if ctx.collect:
            ctx.means.append(mean[0].flatten())
            ctx.stds.append(std[0].flatten())
        gamma, beta = self.affine(ctx)
        # Folded into one scale and one shift per channel: y = x * a + b touches the big tensor twice.
        a = gamma.to(x.dtype)[:, :, None, None] / std
        b = beta.to(x.dtype)[:, :, None, None] - mean * a
        return x * a + b


class ConvLayer(nn.Module):
    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1):
        super().__init__()
        self.pad = nn.ReflectionPad2d(kernel // 2)
        self.conv = nn.Conv2d(cin, cout, kernel, stride)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(self.pad(x))


class ConvNormRelu(nn.Module):
    def __init__(self, cin: int, cout: int, kernel: int, stride: int, cfg: GeneratorConfig,
                 upsample: bool = False, relu: bool = True):
        super().__init__()
        self.upsample = upsample
        self.conv = ConvLayer(cin, cout, kernel, stride)
        self.norm = Norm(cout, cfg.norm, cfg.n_styles)
        self.relu = relu

    def forward(self, x: torch.Tensor, ctx: NormContext) -> torch.Tensor:
        if self.upsample:
            x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        y = self.norm(self.conv(x), ctx)
        return F.relu(y) if self.relu else y


class ResidualBlock(nn.Module):
    def __init__(self, channels: int, cfg: GeneratorConfig):
        super().__init__()
        self.a = ConvNormRelu(channels, channels, 3, 1, cfg)
        self.b = ConvNormRelu(channels, channels, 3, 1, cfg, relu=False)

    def forward(self, x: torch.Tensor, ctx: NormContext) -> torch.Tensor:
        return x + self.b(self.a(x, ctx), ctx)


class Generator(nn.Module):
    """Input and output: RGB in [0, 255], NCHW; H and W multiples of 4."""

    def __init__(self, cfg: GeneratorConfig):
        super().__init__()
        self.cfg = cfg
        w = cfg.width
        self.down = nn.ModuleList([
            ConvNormRelu(3, w, 9, 1, cfg),
            ConvNormRelu(w, 2 * w, 3, 2, cfg),
            ConvNormRelu(2 * w, 4 * w, 3, 2, cfg),
        ])
        self.res = nn.ModuleList([ResidualBlock(4 * w, cfg) for _ in range(cfg.res_blocks)])
        self.up = nn.ModuleList([
            ConvNormRelu(4 * w, 2 * w, 3, 1, cfg, upsample=True),
            ConvNormRelu(2 * w, w, 3, 1, cfg, upsample=True),
        ])
        self.out = ConvLayer(w, 3, 9)

    @property
    def stats_size(self) -> int:
        return sum(m.channels for m in self.modules() if isinstance(m, Norm))

    def receptive_field(self) -> int:
        """Half-width in input pixels of the context one output pixel sees (for tiling halos)."""
        # 9x9 (4) + 3x3 s2 (1) + 3x3 s2 at 1/2 (2) + 2 convs per res block at 1/4 (4 each)
        # + up convs at 1/2 (2) and full (1) + 9x9 (4), rounded up for the stride phases.
        return 4 + 1 + 2 + 2 * self.cfg.res_blocks * 4 + 2 + 1 + 4 + 4

    def forward(self, x: torch.Tensor, ctx: Optional[NormContext] = None) -> torch.Tensor:
        ctx = ctx or NormContext()
        h = (x - 127.5) / 127.5
        for layer in self.down:
            h = layer(h, ctx)
        for block in self.res:
            h = block(h, ctx)
        for layer in self.up:
            h = layer(h, ctx)
        return 127.5 * (torch.tanh(self.out(h)) + 1.0)

    def forward_with_stats(self, x: torch.Tensor, style: Optional[torch.Tensor] = None):
        ctx = NormContext(style=style, collect=True)
        y = self.forward(x, ctx)
        stats = torch.stack([torch.cat(ctx.means), torch.cat(ctx.stds)])
        return y, stats

    def forward_tiles(self, x: torch.Tensor, stats: torch.Tensor, style: Optional[torch.Tensor] = None):
        return self.forward(x, NormContext(style=style, stats_in=stats))

    def forward_single(self, x: torch.Tensor, style: Optional[torch.Tensor] = None):
        return self.forward(x, NormContext(style=style, fused=True))


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
