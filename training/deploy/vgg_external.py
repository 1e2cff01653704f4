"""The learning graphs' VGG19 weights as ONNX external data: the graph files reference the shared
TensorFlow.js shards (kernel HWIO float32, then the bias, one shard per convolution) instead of
holding them, because those weights carry their own licence (CC BY 4.0) and are shipped beside the
app, not inside the repository. The graph transposes each kernel to OIHW itself (and reverses the
first one's input channels, BGR to RGB); onnxruntime folds these constant ops when it loads the graph.

Locations are relative to the graph's folder: a graph runs from a folder that also holds `vgg19/`
with the shards (learn_run_folder below; the app copies both into a cache folder).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Dict, Iterator, List, Sequence

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.external_data_helper import set_external_data

from ..core.export import sha256
from ..core.ort import run_folder
from ..core.vgg import _CONVS, default_vgg_dir, load_tfjs_weights

VGG_FOLDER = "vgg19"
# The shards the graphs were built from (groups 1-8 of vgg19/model.json: block1_conv1 .. block3_conv4),
# file, bytes (kernel + bias, float32) and sha256.
SHARDS = [
    ("group1-shard1of1", 7168, "c68eefa00d6af917fc28b127b756e48597c25cc11144b38fdf8ea65753c197e1"),
    ("group2-shard1of1", 147712, "a0e2bb4fbef5e0ce3d8e2fbc6f903c713c9893a0aa2e26c687b0b5758c6af079"),
    ("group3-shard1of1", 295424, "71a6dbaa06d7e454db3e56d6d2eb5f2defd8b60cccd5af5fc8a6b773be1c5aa5"),
    ("group4-shard1of1", 590336, "ab1d44f13a37e4af119cc56c7e9a4f8ab4ba281019cb057737d5e2f47dae2268"),
    ("group5-shard1of1", 1180672, "df21209f6d1a0bfd90a17eb705fbb9b520ece764914a067b0d94cefe99a43318"),
    ("group6-shard1of1", 2360320, "3b44315d503e5f24957aef369df5e89a1d54fdcbd78e93c93df560d1ff0ba11d"),
    ("group7-shard1of1", 2360320, "f94ad0c1d2fcb380fe57649a0764a25e7602a436efb8767ce65faf28964f10d0"),
    ("group8-shard1of1", 2360320, "f0dc43a70868cb7edce398eac3422b45fb93333c2e6c274f89adc969c37791ee"),
]
_INT64_MIN = -(2 ** 63)
_REVERSE = {"vgg_rev_c_starts": [-1], "vgg_rev_c_ends": [_INT64_MIN], "vgg_rev_c_axes": [1], "vgg_rev_c_steps": [-1],
            "vgg_rev_hw_starts": [-1, -1], "vgg_rev_hw_ends": [_INT64_MIN, _INT64_MIN], "vgg_rev_hw_axes": [2, 3],
            "vgg_rev_hw_steps": [-1, -1]}


def vgg_refs() -> List[Dict]:
    """The manifest's `learn.vgg`: each shard the graphs reference, relative to the graph's folder."""
    return [{"file": f"{VGG_FOLDER}/{f}", "bytes": n, "sha256": h} for f, n, h in SHARDS]


def check_shards(vgg_dir: str, refs: Sequence[Dict] | None = None) -> None:
    """Raises ValueError unless every shard in vgg_dir has the size and sha256 the graphs expect."""
    for ref in refs or vgg_refs():
        path = os.path.join(vgg_dir, os.path.basename(ref["file"]))
        if not os.path.isfile(path):
            raise ValueError(f"Expected the VGG19 weights {path} ({ref['bytes']} bytes) but it is missing "
                             "(PASTICHE_VGG_DIR, or vgg19/ in PASTICHE_SHARED_DIR or ../shared/data)")
        size = os.path.getsize(path)
        if size != ref["bytes"]:
            raise ValueError(f"Expected {ref['bytes']} bytes for {path} but received {size}: "
                             "not the VGG19 weights the learning graphs reference")
        digest = sha256(path)
        if digest != ref["sha256"]:
            raise ValueError(f"Expected sha256 {ref['sha256']} for {path} but received {digest}: "
                             "not the VGG19 weights the learning graphs reference")


def _external(name: str, shape: Sequence[int], location: str, offset: int) -> TensorProto:
    t = numpy_helper.from_array(np.zeros(shape, np.float32), name)
    set_external_data(t, location=location, offset=offset, length=4 * int(np.prod(shape)))
    t.ClearField("raw_data")
    return t


def externalise_vgg(model: onnx.ModelProto, vgg_dir: str) -> int:
    """Replaces every initializer equal to a VGG weight as the graph uses it (the OIHW kernel, the first
    one with its input channels reversed; its transposed, flipped form of a backward convolution; the
    bias) by external data in the shards plus the constant ops that rebuild it. Returns how many
    initializers were replaced."""
    check_shards(vgg_dir)
    weights = load_tfjs_weights(vgg_dir)
    inits = list(model.graph.initializer)
    rename: Dict[str, str] = {}
    new_inits: List[TensorProto] = []
    nodes: List[onnx.NodeProto] = []
    for i, (conv, (shard, _, _)) in enumerate(zip(_CONVS, SHARDS, strict=True)):
        k, b = weights[f"{conv}/kernel"], weights[f"{conv}/bias"]
        fwd = k.transpose(3, 2, 0, 1)[:, ::-1] if i == 0 else k.transpose(3, 2, 0, 1)
        forms = {f"{conv}/kernel_oihw": fwd, f"{conv}/kernel_flip_t": fwd.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1],
                 f"{conv}/bias": b}
        used = set()
        for t in inits:
            if t.name in rename or tuple(t.dims) not in {a.shape for a in forms.values()}:
                continue
            a = numpy_helper.to_array(t)
            hit = next((n for n, f in forms.items() if a.shape == f.shape and np.array_equal(a, f)), None)
            if hit:
                rename[t.name] = hit
                used.add(hit)
        location = f"{VGG_FOLDER}/{shard}"
        if used - {f"{conv}/bias"}:
            new_inits.append(_external(f"{conv}/kernel", k.shape, location, 0))
            oihw = f"{conv}/kernel_oihw"
            if i == 0:   # the graph takes RGB; the kernel's input channels are BGR
                nodes += [helper.make_node("Transpose", [f"{conv}/kernel"], [oihw + "_bgr"], perm=[3, 2, 0, 1]),
                          helper.make_node("Slice", [oihw + "_bgr"] + [n for n in _REVERSE if "_c_" in n], [oihw])]
            else:
                nodes.append(helper.make_node("Transpose", [f"{conv}/kernel"], [oihw], perm=[3, 2, 0, 1]))
            if f"{conv}/kernel_flip_t" in used:
                flip = f"{conv}/kernel_flip_t"
                nodes += [helper.make_node("Transpose", [oihw], [flip + "_t"], perm=[1, 0, 2, 3]),
                          helper.make_node("Slice", [flip + "_t"] + [n for n in _REVERSE if "_hw_" in n], [flip])]
        if f"{conv}/bias" in used:
            new_inits.append(_external(f"{conv}/bias", b.shape, location, k.nbytes))
    missing = [n for c in _CONVS for n in (f"{c}/kernel", f"{c}/bias") if n not in {t.name for t in new_inits}]
    if missing:
        raise ValueError(f"Expected the graph to hold every VGG19 weight of {vgg_dir} but found no copy of "
                         f"{', '.join(missing)}")
    kept = [t for t in inits if t.name not in rename]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept + new_inits)
    consts = {i for n in nodes for i in n.input if i in _REVERSE}
    model.graph.initializer.extend(numpy_helper.from_array(np.array(v, np.int64), n) for n, v in _REVERSE.items()
                                   if n in consts)
    for node in model.graph.node:
        for j, name in enumerate(node.input):
            if name in rename:
                node.input[j] = rename[name]
    old = list(model.graph.node)
    del model.graph.node[:]
    model.graph.node.extend(nodes + old)
    return len(rename)


def external_locations(model: onnx.ModelProto) -> Dict[str, Dict[str, str]]:
    """{initializer name: its external_data entries} of the external initializers."""
    return {t.name: {e.key: e.value for e in t.external_data} for t in model.graph.initializer
            if t.data_location == TensorProto.EXTERNAL}


@contextmanager
def learn_run_folder(models_dir: str, learn: Dict, vgg_dir: str | None = None) -> Iterator[str]:
    """A temporary folder holding the manifest `learn` entry's graphs and `vgg19/` with the shards it
    records (checked first): run the graphs from there, os.path.join(folder, learn["graph"]["file"])."""
    vgg_dir = vgg_dir or default_vgg_dir()
    refs = learn.get("vgg") or vgg_refs()
    check_shards(vgg_dir, refs)
    graphs = [os.path.join(models_dir, learn[k]["file"]) for k in ("graph", "grams")]
    with run_folder(graphs, {r["file"]: os.path.join(vgg_dir, os.path.basename(r["file"])) for r in refs}) as d:
        yield d
