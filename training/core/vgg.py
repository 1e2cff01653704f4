"""VGG19 blocks 1-3 (the loss network), loaded from the TensorFlow.js shards in ../shared/data/vgg19.

Only block1_conv1 .. block3_conv4 exist there (groups 1-8 of the weights manifest).
Preprocessing ("caffe" mode): RGB 0-255 -> BGR, minus the ImageNet mean, no scaling.
"""
from __future__ import annotations

import json
import os
from typing import Dict, List, Sequence

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .data import default_shared_dir

LAYERS = ["relu1_1", "relu1_2", "relu2_1", "relu2_2", "relu3_1", "relu3_2", "relu3_3", "relu3_4"]
_CONVS = ["block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2",
          "block3_conv1", "block3_conv2", "block3_conv3", "block3_conv4"]
_POOL_AFTER = {"block1_conv2", "block2_conv2"}
BGR_MEAN = torch.tensor([103.939, 116.779, 123.68])


def default_vgg_dir() -> str:
    return os.environ.get("PASTICHE_VGG_DIR", os.path.join(default_shared_dir(), "vgg19"))


def load_tfjs_weights(vgg_dir: str) -> Dict[str, np.ndarray]:
    with open(os.path.join(vgg_dir, "model.json")) as f:
        manifest = json.load(f)["weightsManifest"][:8]
    out: Dict[str, np.ndarray] = {}
    for group in manifest:
        buf = b"".join(open(os.path.join(vgg_dir, p), "rb").read() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            if w.get("dtype", "float32") != "float32":
                raise ValueError(f"Expected float32 weights for {w['name']} but received {w.get('dtype')}")
            n = int(np.prod(w["shape"]))
            out[w["name"]] = np.frombuffer(buf, dtype="<f4", count=n, offset=offset).reshape(w["shape"])
            offset += 4 * n
        if offset != len(buf):
            raise ValueError(f"Shard size mismatch in {group['paths']}: read {offset} of {len(buf)} bytes")
    return out


class VGGFeatures(nn.Module):
    def __init__(self, vgg_dir: str | None = None):
        super().__init__()
        weights = load_tfjs_weights(vgg_dir or default_vgg_dir())
        self.convs = nn.ModuleList()
        for name in _CONVS:
            k = weights[f"{name}/kernel"]          # HWIO
            conv = nn.Conv2d(k.shape[2], k.shape[3], 3, padding=1)
            conv.weight.data = torch.from_numpy(np.ascontiguousarray(k.transpose(3, 2, 0, 1)))
            conv.bias.data = torch.from_numpy(weights[f"{name}/bias"].copy())
            self.convs.append(conv)
        self.register_buffer("mean", BGR_MEAN.view(1, 3, 1, 1))
        for p in self.parameters():
            p.requires_grad_(False)
        self.eval()

    def forward(self, rgb255: torch.Tensor, layers: Sequence[str]) -> List[torch.Tensor]:
        """rgb255: [B,3,H,W] in 0..255. Returns the requested relu activations, in LAYERS order."""
        wanted = set(layers)
        last = max(LAYERS.index(name) for name in layers)
        h = rgb255.flip(1) - self.mean.to(rgb255.dtype)
        feats: List[torch.Tensor] = []
        for i, (name, conv) in enumerate(zip(_CONVS, self.convs, strict=True)):
            h = F.relu(conv(h))
            if LAYERS[i] in wanted:
                feats.append(h)
            if i == last:
                break
            if name in _POOL_AFTER:
                h = F.max_pool2d(h, 2)
        return feats
