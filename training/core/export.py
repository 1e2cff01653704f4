"""Export a trained generator to ONNX (opset 17, dynamic H and W).

The exported graph is the exact inference rewrite of training/core/fast_graph.py (same numbers, faster
operations); `--plain` exports the training formulation as it is.

Graphs per model (see docs/architecture.md):
- full:   input [, style] -> output, stats      (stats: [2, K] mean/std of every IN layer)
- tiles:  input [, style], stats -> output      (normalizes with the given whole-image stats)
- single: input [, style] -> output             (fp32, IN models: fused InstanceNormalization for
          photos done in one pass, which need no statistics)
fp16 variants keep fp32 inputs/outputs (casts inside) so callers feed the same tensors.
"""
from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import os
from typing import Dict, Optional

import torch
import torch.nn as nn

from .fast_graph import FastGenerator, training_state_dict
from .model import Generator, GeneratorConfig

OPSET = 17


class FullGraph(nn.Module):
    def __init__(self, g: Generator, half: bool):
        super().__init__()
        self.g, self.half = g, half

    def forward(self, input: torch.Tensor, style: Optional[torch.Tensor] = None):
        x = input.half() if self.half else input
        y, stats = self.g.forward_with_stats(x, style)
        return y.float().clamp(0, 255), stats.float()


class TilesGraph(nn.Module):
    def __init__(self, g: Generator, half: bool):
        super().__init__()
        self.g, self.half = g, half

    def forward(self, input: torch.Tensor, stats: torch.Tensor, style: Optional[torch.Tensor] = None):
        x = input.half() if self.half else input
        s = stats.half() if self.half else stats
        return self.g.forward_tiles(x, s, style).float().clamp(0, 255)


class SingleGraph(nn.Module):
    def __init__(self, g: Generator):
        super().__init__()
        self.g = g

    def forward(self, input: torch.Tensor, style: Optional[torch.Tensor] = None):
        return self.g.forward_single(input, style).clamp(0, 255)


def load_checkpoint(path: str, map_location="cpu") -> Generator:
    ck = torch.load(path, map_location=map_location)
    g = Generator(GeneratorConfig(**ck["config"]))
    g.load_state_dict(ck["model"])
    return g.eval()


def load_onnx(path: str) -> Generator:
    """A Generator with the weights of an exported fp32 graph (its initializers keep the module names),
    so a shipped model can be re-exported without its training checkpoint."""
    import onnx
    from onnx import numpy_helper

    m = onnx.load(path)
    named = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy())
             for i in m.graph.initializer if i.name.startswith("g.")}
    if any(k.startswith("g.g.") for k in named):   # a rewritten graph: undo the rewrite exactly
        sd = training_state_dict(named)
    else:
        sd = {k[2:]: v for k, v in named.items()}
    if not sd:
        raise ValueError(f"Expected a Pastiche fp32 graph with named weights in {path} but found none")
    blocks = {k.split(".")[1] for k in sd if k.startswith("res.")}
    n_styles = sd["down.0.norm.gamma"].shape[0] if "down.0.norm.gamma" in sd else 1
    norm = "batch" if "down.0.norm.bn.weight" in sd else ("cond_instance" if n_styles > 1 else "instance")
    cfg = GeneratorConfig(width=sd["down.0.conv.conv.weight"].shape[0], res_blocks=len(blocks), norm=norm,
                          n_styles=n_styles)
    g = Generator(cfg)
    g.load_state_dict(sd, strict=True)
    return g.eval()


def _export(module: nn.Module, args, path: str, input_names, output_names, dynamic_axes):
    kwargs = dict(opset_version=OPSET, input_names=input_names, output_names=output_names,
                  dynamic_axes=dynamic_axes, do_constant_folding=True)
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False   # the TorchScript exporter handles our dynamic H/W graph as intended
    torch.onnx.export(module, args, path, **kwargs)


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_ref(path: str) -> Dict:
    return {"file": os.path.basename(path), "sha256": sha256(path), "bytes": os.path.getsize(path)}


def export_model(g: Generator, out_dir: str, name: str, half: bool = False, device: str = "cpu",
                 rewrite: bool = True) -> Dict[str, Dict]:
    """Writes <name>.onnx and <name>-tiles.onnx (or -fp16 variants). Returns file refs."""
    os.makedirs(out_dir, exist_ok=True)
    g = g.float().eval()
    if rewrite:
        g = FastGenerator(g).eval()   # weights are rewritten in fp32, then cast
    g = g.to(device)
    if half:
        g = g.half()
    multi = g.cfg.norm == "cond_instance"
    x = torch.rand(1, 3, 64, 96, device=device) * 255
    style = torch.full((1, g.cfg.n_styles), 1.0 / g.cfg.n_styles, device=device) if multi else None
    hw = {2: "height", 3: "width"}
    suffix = "-fp16" if half else ""
    refs = {}
    with torch.no_grad():
        full_path = os.path.join(out_dir, f"{name}{suffix}.onnx")
        _export(FullGraph(g, half), (x, style) if multi else (x,), full_path,
                ["input", "style"] if multi else ["input"], ["output", "stats"],
                {"input": hw, "output": hw})
        refs["full"] = file_ref(full_path)
        _, stats = FullGraph(g, half)(x, style)
        tiles_path = os.path.join(out_dir, f"{name}{suffix}-tiles.onnx")
        _export(TilesGraph(g, half), (x, stats, style) if multi else (x, stats), tiles_path,
                ["input", "stats", "style"] if multi else ["input", "stats"], ["output"],
                {"input": hw, "output": hw})
        refs["tiles"] = file_ref(tiles_path)
        if not half and g.cfg.norm != "batch":
            single_path = os.path.join(out_dir, f"{name}-single.onnx")
            _export(SingleGraph(g), (x, style) if multi else (x,), single_path,
                    ["input", "style"] if multi else ["input"], ["output"], {"input": hw, "output": hw})
            refs["single"] = file_ref(single_path)
    return refs


def io_spec(g: Generator) -> Dict:
    return {"input": "input", "output": "output",
            "styleWeights": "style" if g.cfg.norm == "cond_instance" else None,
            "stats": "stats", "statsSize": g.stats_size, "layout": "NCHW", "channels": "RGB",
            "range": [0, 255], "multipleOf": 4}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("checkpoint")
    p.add_argument("--out", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--fp16", action="store_true", help="also export fp16 variants (needs a CUDA device)")
    p.add_argument("--plain", action="store_true", help="export the training formulation, not the rewrite")
    a = p.parse_args(argv)
    g = load_checkpoint(a.checkpoint)
    refs = {"fp32": export_model(g, a.out, a.name, rewrite=not a.plain)}
    if a.fp16:
        refs["fp16"] = export_model(load_checkpoint(a.checkpoint), a.out, a.name, half=True, device="cuda",
                                    rewrite=not a.plain)
    print(json.dumps(refs, indent=1))


if __name__ == "__main__":
    main()
