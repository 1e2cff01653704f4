"""Pack graphs whose style input is a style vector (training/styles/vector.py) instead of weights
over the pack's baked-in styles.

Two ways, both from the shipped files (no training checkpoint):
- export_vector_graphs(): the fp32 graphs (full, tiles, single) exported again with PyTorch from
  the weights of the shipped fp32 ONNX (export.load_onnx), through the same exact rewrite
  (fast_graph.py) as every export;
- vectorize(): an existing graph edited in place: each `style @ gamma` / `style @ beta` MatMul
  becomes a Slice of the vector input; everything else (fp16 weights, int8 quantization) is kept
  bit for bit. Used for the fp16 graphs (exporting fp16 needs a CUDA device) and the int8 graph
  (its calibration is kept). The int8 graph's cross-layer equalization had multiplied some norms'
  gamma/beta by per-channel s > 0 (quantize.equalize); those s become one constant Mul on the
  vector input, so the same style file serves every variant.
"""
from __future__ import annotations

import os
from typing import Dict, List, Optional, Tuple

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import TensorProto, helper, numpy_helper

from ..core.export import _export, file_ref
from ..core.fast_graph import FastGenerator
from ..core.model import Generator, NormContext
from .vector import layout, vector_size

INPUT = "style_vector"


class _VecFull(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.g = g

    def forward(self, input: torch.Tensor, style_vector: torch.Tensor):
        ctx = NormContext(style_vector=style_vector, collect=True)
        y = self.g(input, ctx)
        return y.clamp(0, 255), torch.stack([torch.cat(ctx.means), torch.cat(ctx.stds)])


class _VecTiles(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.g = g

    def forward(self, input: torch.Tensor, stats: torch.Tensor, style_vector: torch.Tensor):
        return self.g(input, NormContext(style_vector=style_vector, stats_in=stats)).clamp(0, 255)


class _VecSingle(nn.Module):
    def __init__(self, g):
        super().__init__()
        self.g = g

    def forward(self, input: torch.Tensor, style_vector: torch.Tensor):
        return self.g(input, NormContext(style_vector=style_vector, fused=True)).clamp(0, 255)


def export_vector_graphs(g: Generator, out_dir: str, name: str, rewrite: bool = True,
                         weights_from: Optional[str] = None) -> Dict[str, Dict]:
    """<name>.onnx (input, style_vector -> output, stats), <name>-tiles.onnx (input, stats,
    style_vector -> output), <name>-single.onnx (input, style_vector -> output). File refs.
    weights_from: an fp32 graph exported from the same generator, whose stored (rewritten) weights
    are copied bit for bit: rewriting the recovered training weights again may move last bits,
    and then neither outputs nor the pack's fingerprint would be exactly the shipped ones."""
    os.makedirs(out_dir, exist_ok=True)
    g = g.float().eval()
    fg = FastGenerator(g).eval() if rewrite else g
    if weights_from:
        stored = {i.name: numpy_helper.to_array(i) for i in onnx.load(weights_from).graph.initializer}
        with torch.no_grad():
            for pname, t in _VecFull(fg).state_dict(keep_vars=True).items():
                if pname in stored and tuple(stored[pname].shape) == tuple(t.shape):
                    t.copy_(torch.from_numpy(stored[pname].copy()))
    x = torch.rand(1, 3, 64, 96) * 255
    vec = torch.ones(1, vector_size(g))
    hw = {2: "height", 3: "width"}
    refs = {}
    with torch.no_grad():
        p = os.path.join(out_dir, f"{name}.onnx")
        _export(_VecFull(fg), (x, vec), p, ["input", INPUT], ["output", "stats"], {"input": hw, "output": hw})
        refs["full"] = file_ref(p)
        _, stats = _VecFull(fg)(x, vec)
        p = os.path.join(out_dir, f"{name}-tiles.onnx")
        _export(_VecTiles(fg), (x, stats, vec), p, ["input", "stats", INPUT], ["output"], {"input": hw, "output": hw})
        refs["tiles"] = file_ref(p)
        p = os.path.join(out_dir, f"{name}-single.onnx")
        _export(_VecSingle(fg), (x, vec), p, ["input", INPUT], ["output"], {"input": hw, "output": hw})
        refs["single"] = file_ref(p)
    return refs


def _layer_of(init_name: str) -> Optional[Tuple[str, str]]:
    """('res.0.a.norm', 'gamma') from 'g.g.res.0.a.norm.gamma' / 'g.res.0.a.norm.gamma'."""
    for prefix in ("g.g.", "g."):
        if init_name.startswith(prefix) and init_name.endswith((".norm.gamma", ".norm.beta")):
            base, kind = init_name[len(prefix):].rsplit(".", 1)
            return base, kind
    return None


def _style_tensors(graph: onnx.GraphProto) -> set:
    """`style` and every tensor derived from it through Cast nodes only."""
    out, grew = {"style"}, True
    while grew:
        grew = False
        for n in graph.node:
            if n.op_type == "Cast" and n.input[0] in out and n.output[0] not in out:
                out.add(n.output[0])
                grew = True
    return out


def affine_matmuls(model: onnx.ModelProto) -> List[Tuple[onnx.NodeProto, str, str, str]]:
    """(MatMul node, style-side input, initializer name, layer, kind) for each style @ gamma/beta."""
    inits = {i.name for i in model.graph.initializer}
    styled = _style_tensors(model.graph)
    found = []
    for n in model.graph.node:
        if n.op_type != "MatMul" or n.input[0] not in styled or n.input[1] not in inits:
            continue
        lk = _layer_of(n.input[1])
        if lk is None:
            raise ValueError(f"Expected a norm gamma/beta weight behind {n.name} but received {n.input[1]}")
        found.append((n, n.input[0], n.input[1]) + lk)
    return found


def equalization_scales(model: onnx.ModelProto, reference: Generator) -> np.ndarray:
    """[2K] float32 s with fl32(reference gamma/beta * s) == the model's stored gamma/beta, for every
    style and channel (1 where they are equal): the scales quantize.equalize multiplied in. Raises if
    no such s exists for a channel (then the graph is not this pack's)."""
    arrays = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    lay = {entry["layer"]: entry for entry in layout(reference)}
    k = vector_size(reference) // 2
    sd = reference.state_dict()
    s_all = np.ones(2 * k, np.float32)
    per_layer: Dict[str, np.ndarray] = {}
    for _, _, name, layer, kind in affine_matmuls(model):
        stored = arrays[name].astype(np.float32)
        ref = sd[f"{layer}.{kind}"].float().numpy()
        if stored.shape != ref.shape:
            raise ValueError(f"Expected {name} of shape {ref.shape} but received {stored.shape}")
        s = np.ones(ref.shape[1], np.float32)
        for c in range(ref.shape[1]):
            col, want = ref[:, c], stored[:, c]
            if np.array_equal(col, want):
                continue
            nz = np.abs(col) > 0
            cand = np.float32(np.median(want[nz].astype(np.float64) / col[nz].astype(np.float64)))
            for step in range(0, 64):   # nearest float32s around the ratio, outwards
                hit = None
                for sign in ((1, -1) if step else (1,)):
                    t = np.float32(cand)
                    for _ in range(step):
                        t = np.nextafter(t, np.float32(np.inf if sign > 0 else -np.inf))
                    if np.array_equal(col * t, want):
                        hit = t
                        break
                if hit is not None:
                    s[c] = hit
                    break
            else:
                raise ValueError(f"{name}[:, {c}] is no per-channel multiple of the pack's {layer}.{kind}")
        per_layer[f"{layer}.{kind}"] = s
    for layer, entry in lay.items():
        g_s, b_s = per_layer.get(f"{layer}.gamma"), per_layer.get(f"{layer}.beta")
        if g_s is not None and b_s is not None and not np.array_equal(g_s, b_s):
            # quantize.equalize scales scale and shift of a channel alike; anything else is unknown
            raise ValueError(f"Expected one scale per channel for {layer}'s gamma and beta")
        o, c = entry["offset"], entry["channels"]
        if g_s is not None:
            s_all[o:o + c] = g_s
        if b_s is not None:
            s_all[k + o:k + o + c] = b_s
    return s_all


def vectorize(model: onnx.ModelProto, reference: Generator, scales: Optional[np.ndarray] = None) -> onnx.ModelProto:
    """A copy of a weights-input pack graph that takes `style_vector` [1, 2K] float32 instead."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    if not any(i.name == "style" for i in g.input):
        raise ValueError("Expected a graph with a 'style' input but found none")
    lay = {entry["layer"]: entry for entry in layout(reference)}
    k = vector_size(reference) // 2
    found = affine_matmuls(m)
    if len(found) != 2 * len(lay):
        raise ValueError(f"Expected {2 * len(lay)} style MatMuls (gamma and beta of {len(lay)} norms) "
                         f"but found {len(found)}")
    feed = INPUT
    new_nodes: List[onnx.NodeProto] = []
    if scales is not None and not np.all(scales == 1):
        g.initializer.append(
            numpy_helper.from_array(scales.reshape(1, -1).astype(np.float32), "style_vector_equalization"))
        new_nodes.append(helper.make_node("Mul", [INPUT, "style_vector_equalization"], ["style_vector_equalized"],
                                          name="/style_vector/Mul"))
        feed = "style_vector_equalized"
    for n in g.node:
        for i, t in enumerate(n.input):
            if t == "style":
                n.input[i] = feed
    dead = set()
    replace = {}
    for node, a, init, layer, kind in found:
        entry = lay[layer]
        c0 = entry["offset"] + (k if kind == "beta" else 0)
        starts, ends, axes = (f"{node.name}/vec_{w}" for w in ("starts", "ends", "axes"))
        for nm, v in ((starts, c0), (ends, c0 + entry["channels"]), (axes, 1)):
            g.initializer.append(numpy_helper.from_array(np.array([v], np.int64), nm))
        replace[node.name] = helper.make_node("Slice", [a, starts, ends, axes], list(node.output),
                                              name=node.name.replace("MatMul", "VecSlice"))
        dead.add(init)
    nodes = new_nodes + [replace.get(n.name, n) for n in g.node]
    del g.node[:]
    g.node.extend(nodes)
    used = {t for n in g.node for t in n.input}
    keep = [i for i in g.initializer if i.name not in dead or i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    for i, inp in enumerate(g.input):
        if inp.name == "style":
            g.input.remove(inp)
            g.input.insert(i, helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, [1, 2 * k]))
            break
    # shape annotations of removed or retyped tensors would only mislead a later pass
    del g.value_info[:]
    onnx.checker.check_model(m)
    return m
