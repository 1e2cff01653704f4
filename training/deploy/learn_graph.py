"""Learning graphs of a frozen vector-input pack: the style learner's loss and its gradient with
respect to the style vector, as plain inference ONNX (docs/styles.md, "Learning on the engine").

- LearnGraph: inputs `input` [B,3,H,W] (RGB 0-255 crops, H and W multiples of 4), `style_vector`
  [1,2K], `loss_weights` [3] (content, style, tv), `gram_s{scale}_{i}` [1,C,C] (the painting's Gram
  targets per scale and STYLE_LAYERS layer); outputs `loss` (the weighted batch mean, what is
  minimised), `content`, `style`, `tv` ([B], unweighted) and `grad` [1,2K] (d loss / d style_vector).
  The loss is core/losses.py perceptual_loss of the generator in training form (core/model.py);
  the backward pass is deploy/backward.py, forward operators only.
- GramsGraph: input `painting` [1,3,H,W] (RGB 0-255, at the learner's style size); outputs the
  Gram targets above (core/train.py style_targets), computed once per painting.
"""
from __future__ import annotations

import os
from typing import Dict, List, Sequence

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import helper, numpy_helper

from ..core.export import _export, file_ref
from ..core.losses import CONTENT_LAYERS, STYLE_LAYERS, total_variation
from ..core.model import Generator, Norm
from ..core.ort import run_folder
from ..core.vgg import BGR_MEAN, LAYERS, VGGFeatures, default_vgg_dir
from . import backward as B
from .vgg_external import externalise_vgg, vgg_refs

_POOL_AFTER = (1, 3)   # vgg.py: max-pool after block1_conv2 and block2_conv2
STYLE_IDX = [LAYERS.index(n) for n in STYLE_LAYERS]
CONTENT_IDX = [LAYERS.index(n) for n in CONTENT_LAYERS]


def gram_names(scales: Sequence[int]) -> List[str]:
    return [f"gram_s{s}_{i}" for s in scales for i in range(len(STYLE_LAYERS))]


class _Vgg(nn.Module):
    """VGG19 blocks 1-3 of core/vgg.py on RGB input: the BGR flip is folded into the first
    convolution's input channels (the mean is still subtracted first, so zero padding is unchanged)."""

    def __init__(self, vgg: VGGFeatures):
        super().__init__()
        ws = [c.weight.detach().clone() for c in vgg.convs]
        ws[0] = ws[0].flip(1).contiguous()
        self.w = nn.ParameterList([nn.Parameter(w, requires_grad=False) for w in ws])
        self.b = nn.ParameterList([nn.Parameter(c.bias.detach().clone(), requires_grad=False) for c in vgg.convs])
        self.register_buffer("mean", BGR_MEAN.flip(0).view(1, 3, 1, 1).clone())

    def forward(self, rgb255: torch.Tensor, last: int):
        """ReLU outputs of convs 0..last, and the max-pooled maps (by conv index)."""
        h = rgb255 - self.mean
        acts, pooled = [], {}
        for i in range(last + 1):
            h = F.relu(F.conv2d(h, self.w[i], self.b[i], padding=1))
            acts.append(h)
            if i in _POOL_AFTER and i < last:
                h = pooled[i] = F.max_pool2d(h, 2)
        return acts, pooled

    def backward(self, acts, pooled, feeds: Dict[int, torch.Tensor]) -> torch.Tensor:
        """Gradient with respect to the RGB input, given gradients at some ReLU outputs."""
        g = None
        for i in range(len(acts) - 1, -1, -1):
            if i in feeds:
                g = feeds[i] if g is None else g + feeds[i]
            if g is None:
                continue
            g = B.conv_input_grad(B.relu_grad(g, acts[i]), self.w[i], 1)
            if i - 1 in pooled:
                g = B.maxpool_grad(g, acts[i - 1], pooled[i - 1])
        return g


class _Gen(nn.Module):
    """The frozen generator (training form) with its forward intermediates kept for the backward."""

    def __init__(self, g: Generator):
        super().__init__()
        self.g = g
        self.k = sum(m.channels for _, m in g.named_modules() if isinstance(m, Norm))   # vector half

    def _layers(self):
        """(kind, ConvNormRelu) in forward order; kind: down | res_a | res_b | up."""
        g = self.g
        out = [("down", m) for m in g.down]
        for blk in g.res:
            out += [("res_a", blk.a), ("res_b", blk.b)]
        return out + [("up", m) for m in g.up]

    def forward(self, x: torch.Tensor, vec: torch.Tensor):
        h = (x - 127.5) / 127.5
        saved, c0, res_in = [], 0, None
        for kind, m in self._layers():
            n = m.norm.channels
            gamma, beta = vec[:, c0:c0 + n], vec[:, self.k + c0:self.k + c0 + n]
            c0 += n
            if kind == "res_a":
                res_in = h
            hin = B.up2(h) if m.upsample else h
            conv = m.conv.conv
            p = m.conv.pad.padding[0]
            z = F.conv2d(F.pad(hin, (p, p, p, p), mode="reflect"), conv.weight, conv.bias, stride=conv.stride)
            h, xhat, std = B.instance_norm(z, gamma, beta)
            if m.relu:
                h = F.relu(h)
            if kind == "res_b":
                h = res_in + h
            saved.append((kind, m, h, xhat, std, gamma))
        conv = self.g.out.conv
        p = int(conv.weight.shape[2]) // 2
        t = torch.tanh(F.conv2d(F.pad(h, (p, p, p, p), mode="reflect"), conv.weight, conv.bias))
        return 127.5 * (t + 1.0), (saved, t)

    def backward(self, gy: torch.Tensor, state) -> torch.Tensor:
        saved, t = state
        w = self.g.out.conv.weight
        p = int(w.shape[2]) // 2
        g = B.reflect_pad_grad(B.conv_input_grad(B.tanh_out_grad(gy, t), w, 0), p)
        dgam, dbet = [None] * len(saved), [None] * len(saved)
        g_res = None
        for i in range(len(saved) - 1, -1, -1):
            kind, m, out, xhat, std, gamma = saved[i]
            if kind == "res_b":
                g_res = g   # the skip path
            if m.relu:
                g = B.relu_grad(g, out)
            gz, dgam[i], dbet[i] = B.instance_norm_grad(g, xhat, std, gamma)
            if i == 0:
                break   # the photo needs no gradient
            wc = m.conv.conv.weight
            if m.conv.conv.stride[0] == 2:
                g = B.reflect_pad_grad(B.conv_s2_input_grad(gz, wc), 1)
            else:
                g = B.reflect_pad_grad(B.conv_input_grad(gz, wc, 0), int(wc.shape[2]) // 2)
            if m.upsample:
                g = B.up2_grad(g)
            if kind == "res_a":
                g = g + g_res
        return torch.cat(dgam + dbet).unsqueeze(0)


class LearnGraph(nn.Module):
    def __init__(self, g: Generator, vgg: VGGFeatures, scales: Sequence[int] = (1, 2)):
        super().__init__()
        self.gen = _Gen(g)
        self.vgg = _Vgg(vgg)
        if list(scales) not in ([1], [1, 2]):
            raise ValueError(f"Expected style scales [1, 2] (or [1]) but received {list(scales)}")
        self.scales = list(scales)
        self.n = len(STYLE_LAYERS)

    def forward(self, input: torch.Tensor, style_vector: torch.Tensor, loss_weights: torch.Tensor, *grams):
        y, gstate = self.gen(input, style_vector)
        acts_x, _ = self.vgg(input, max(CONTENT_IDX))
        per = 1.0 / B._count(input, (0,))   # the loss is a batch mean
        wc, ws, wt = loss_weights[0] * per, loss_weights[1] * per, loss_weights[2] * per
        style, gy = 0.0, None
        content = 0.0
        for si, s in enumerate(self.scales):
            ys = y if s == 1 else F.avg_pool2d(y, s)
            acts, pooled = self.vgg(ys, max(STYLE_IDX + (CONTENT_IDX if s == 1 else [])))
            feeds: Dict[int, torch.Tensor] = {}
            for li, ai in enumerate(STYLE_IDX):
                f = acts[ai]
                err, dg = B.relative_gram_error(B.gram(f), grams[si * self.n + li])
                style = style + err
                feeds[ai] = B.gram_grad(f, dg * ws)
            if s == 1:
                for ai in CONTENT_IDX:
                    err, df = B.relative_feature_error(acts[ai], acts_x[ai])
                    content = content + err
                    feeds[ai] = feeds[ai] + df * wc if ai in feeds else df * wc
            g = self.vgg.backward(acts, pooled, feeds)
            if s != 1:
                g = B.avgpool2_grad(g)
            gy = g if gy is None else gy + g
        tv = total_variation(y)
        gy = gy + B.total_variation_grad(y) * wt
        grad = self.gen.backward(gy, gstate)
        total = (loss_weights[0] * content + loss_weights[1] * style + loss_weights[2] * tv).mean()
        return total, content, style, tv, grad


class GramsGraph(nn.Module):
    def __init__(self, vgg: VGGFeatures, scales: Sequence[int] = (1, 2)):
        super().__init__()
        self.vgg = _Vgg(vgg)
        self.scales = list(scales)

    def forward(self, painting: torch.Tensor):
        out = []
        for s in self.scales:
            acts, _ = self.vgg(painting if s == 1 else F.avg_pool2d(painting, s), max(STYLE_IDX))
            out += [B.gram(acts[i]) for i in STYLE_IDX]
        return tuple(out)


LEARN_OUTPUTS = ["loss", "content", "style", "tv", "grad"]


def share_flipped_weights(model: onnx.ModelProto) -> int:
    """Each backward convolution's weights (flip_t of a forward one, folded by the exporter into a
    second initializer) become Transpose + reversing Slice of the forward weights: the file stores
    every weight once, and onnxruntime folds the two ops when it loads the graph. Returns how many."""
    inits = {i.name: i for i in model.graph.initializer}
    arrays = {n: numpy_helper.to_array(i) for n, i in inits.items() if len(i.dims) == 4 and i.dims[2] > 1}
    by_shape: Dict[tuple, List[str]] = {}
    for n, a in arrays.items():
        by_shape.setdefault(a.shape, []).append(n)
    nodes, shared = [], 0
    consts = {"share_starts": [-1, -1], "share_ends": [-(2 ** 63), -(2 ** 63)], "share_axes": [2, 3],
              "share_steps": [-1, -1]}
    for n, a in arrays.items():
        want = a.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]
        src = next((m for m in by_shape.get(want.shape, []) if m != n and m in inits
                    and np.array_equal(arrays[m], want)), None)
        if src is None:
            continue
        model.graph.initializer.remove(inits.pop(n))
        nodes += [helper.make_node("Transpose", [src], [n + "_t"], perm=[1, 0, 2, 3]),
                  helper.make_node("Slice", [n + "_t"] + list(consts), [n])]
        shared += 1
    if shared:
        model.graph.initializer.extend(numpy_helper.from_array(np.array(v, np.int64), k) for k, v in consts.items())
        old = list(model.graph.node)
        del model.graph.node[:]
        model.graph.node.extend(nodes + old)
    return shared


def export_learn_graphs(g: Generator, vgg: VGGFeatures, out_dir: str, name: str,
                        scales: Sequence[int] = (1, 2), vgg_dir: str | None = None) -> Dict[str, Dict]:
    """Writes <name>-learn.onnx and <name>-grams.onnx, their VGG weights external data in the shards of
    vgg_dir (deploy/vgg_external.py; vgg must hold those weights); returns their file refs with io names."""
    vgg_dir = vgg_dir or default_vgg_dir()
    g = g.float().eval()
    learn, grams = LearnGraph(g, vgg, scales).eval(), GramsGraph(vgg, scales).eval()
    k2 = 2 * learn.gen.k
    names = gram_names(scales)
    x = torch.rand(1, 3, 64, 96) * 255
    vec = torch.cat([torch.ones(1, k2 // 2), torch.zeros(1, k2 // 2)], 1)
    painting = torch.rand(1, 3, 96, 128) * 255
    with torch.no_grad():
        targets = grams(painting)
        paths = {"graph": os.path.join(out_dir, f"{name}-learn.onnx"),
                 "grams": os.path.join(out_dir, f"{name}-grams.onnx")}
        hw = {2: "height", 3: "width"}
        _export(learn, (x, vec, torch.tensor([1.0, 3.0, 0.5])) + tuple(t[:1] for t in targets), paths["graph"],
                ["input", "style_vector", "loss_weights"] + names, LEARN_OUTPUTS,
                {"input": {0: "batch", 2: "height", 3: "width"}, "content": {0: "batch"}, "style": {0: "batch"},
                 "tv": {0: "batch"}})
        _export(grams, (painting,), paths["grams"], ["painting"], names, {"painting": hw})
    for key, path in paths.items():
        m = onnx.load(path)
        if key == "graph":
            share_flipped_weights(m)
        externalise_vgg(m, vgg_dir)
        tmp = path + ".tmp"
        onnx.save(m, tmp)
        os.replace(tmp, path)
    shards = {r["file"]: os.path.join(vgg_dir, os.path.basename(r["file"])) for r in vgg_refs()}
    with run_folder(list(paths.values()), shards) as d:
        for path in paths.values():   # with the shards beside it: the external data resolve
            onnx.checker.check_model(os.path.join(d, os.path.basename(path)))
    refs = {k: file_ref(p) for k, p in paths.items()}
    refs["graph"]["io"] = {"inputs": ["input", "style_vector", "loss_weights"] + names, "outputs": LEARN_OUTPUTS}
    refs["grams"]["io"] = {"inputs": ["painting"], "outputs": names}
    return refs
