"""Post-training int8 quantization of a shipped graph, for ONNX Runtime's CPU provider (QDQ form).

    python3 -m training.deploy.quantize models/pastiche-pack16-single.onnx models/pastiche-pack16-int8.onnx
    python3 -m training.core.eval models/pastiche-pack16-int8.onnx --name pack16-int8
    python3 -m training.deploy.quantize models/pastiche-pack16-single.onnx models/pastiche-pack16-int8.onnx \
        --pack pastiche-pack16 --eval models/eval/pack16-int8.json   # records it in the manifest

The file written takes and returns 8-bit RGB (uint8 [1,H,W,3], training/deploy/rgb8.py) unless --io float.

Options: --convs res|res+up|all (default res: the residual blocks, 55% of the convolution time and
the least sensitive), --photos N and --size PX (calibration set; default 8 at 384).

Each chosen Conv gets int8 weights (symmetric, per output channel), an int32 bias, and uint8
activations at its input and output (asymmetric, per tensor). Activation ranges are calibrated with
onnxruntime-node on training photos (data/content/open; never the Kodak evaluation photos) under
every style of the pack, after cross-layer equalization (equalize()), which leaves the float
function unchanged and halves the int8 error. ORT fuses DequantizeLinear -> Conv -> QuantizeLinear
into QLinearConv, which runs on int8 dot-product kernels (AVX512-VNNI on this CPU). Instance norm,
ReLU, the residual sums, the pixel shuffles and tanh stay float32. Deterministic: the same inputs
give the same file.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
from typing import Dict, List, Sequence, Tuple

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ..core.data import default_shared_dir, list_images, load_rgb
from ..core.ort import n_styles, ort_batch, style_feed_jobs
from ..core.paintings import STYLE_IDS
from . import rgb8

CONV_SETS = ("res", "res+up", "all")


def chosen_convs(model: onnx.ModelProto, which: str) -> List[onnx.NodeProto]:
    if which not in CONV_SETS:
        raise ValueError(f"Expected one of {', '.join(CONV_SETS)} for convs but received '{which}'")
    convs = [n for n in model.graph.node if n.op_type == "Conv"]
    if which == "res":
        return [n for n in convs if n.name.startswith("/res.")]
    if which == "res+up":
        return [n for n in convs if n.name.startswith(("/res.", "/up."))]
    return convs


def with_outputs(model: onnx.ModelProto, names: Sequence[str]) -> onnx.ModelProto:
    m = onnx.ModelProto()
    m.CopyFrom(model)
    have = {o.name for o in m.graph.output}
    for n in names:
        if n not in have:
            m.graph.output.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, None))
            have.add(n)
    return m


def photo_array(path: str, long_edge: int) -> np.ndarray:
    """A photo as float32 [1,3,H,W], 0-255, H and W cropped to multiples of 4."""
    x = load_rgb(path, max_long_edge=long_edge).numpy().astype(np.float32)
    return np.ascontiguousarray(x[None, :, : (x.shape[1] // 4) * 4, : (x.shape[2] // 4) * 4])


def calibration_photos(n: int, long_edge: int) -> List[np.ndarray]:
    """n training photos spread evenly over data/content/open."""
    files = list_images([os.path.join(default_shared_dir(), "content", "open")])
    if not files:
        raise SystemExit("no calibration photos in data/content/open")
    picks = [files[round(i * (len(files) - 1) / max(1, n - 1))] for i in range(min(n, len(files)))]
    return [photo_array(f, long_edge) for f in picks]


def calibrate(model: onnx.ModelProto, convs: List[onnx.NodeProto], photos: List[np.ndarray],
              per_channel: bool = False) -> Dict:
    """Min and max of every chosen conv's input and output over photos x styles (per channel: lists)."""
    names = sorted({t for n in convs for t in (n.input[0], n.output[0])})
    with tempfile.TemporaryDirectory() as d:
        aug = os.path.join(d, "calib.onnx")
        onnx.save(with_outputs(model, names), aug)
        r = ort_batch(aug, style_feed_jobs(d, photos, n_styles(model)), ranges="channel" if per_channel else True)
    return {k: (v["min"], v["max"]) for k, v in r["ranges"].items() if k in names}


class GraphIndex:
    def __init__(self, model: onnx.ModelProto):
        self.model = model
        self.inits = {i.name: i for i in model.graph.initializer}
        self.producer = {o: n for n in model.graph.node for o in n.output}
        self.consumers: Dict[str, List[onnx.NodeProto]] = {}
        for n in model.graph.node:
            for i in n.input:
                self.consumers.setdefault(i, []).append(n)

    def only_consumer(self, tensor: str):
        c = self.consumers.get(tensor, [])
        return c[0] if len(c) == 1 else None

    def array(self, name: str) -> np.ndarray:
        return numpy_helper.to_array(self.inits[name]).astype(np.float32)

    def set_array(self, name: str, arr: np.ndarray) -> None:
        self.inits[name].CopyFrom(numpy_helper.from_array(arr.astype(np.float32), name))


def _output_groups(ix: GraphIndex, conv: onnx.NodeProto, channels: int):
    """Channel groups that one InstanceNormalization channel sees, if the conv feeds an IN only
    through channel-preserving ops (pixel shuffle, crop); None otherwise."""
    group = np.arange(channels)
    t = conv.output[0]
    while True:
        n = ix.only_consumer(t)
        if n is None:
            return None
        if n.op_type == "InstanceNormalization":
            return group
        if n.op_type == "DepthToSpace":
            b = next(a.i for a in n.attribute if a.name == "blocksize")
            mode = next((a.s.decode() for a in n.attribute if a.name == "mode"), "DCR")
            out_c = (group.max() + 1) // (b * b)
            group = group // (b * b) if mode == "CRD" else group % out_c
        elif n.op_type != "Slice":
            return None
        t = n.output[0]


def _affine_of(ix: GraphIndex, norm: onnx.NodeProto):
    """(gamma, beta) initializers [styles, C] behind an InstanceNormalization's scale and bias."""
    names = []
    for t in norm.input[1:3]:
        for _ in range(6):
            if t in ix.inits or t not in ix.producer:
                break
            n = ix.producer[t]
            w = [i for i in n.input if i in ix.inits and len(ix.inits[i].dims) == 2] if n.op_type == "MatMul" else []
            t = w[0] if w else n.input[0]
        if t not in ix.inits:
            return None
        names.append(t)
    return tuple(names)


def _input_affine(ix: GraphIndex, conv: onnx.NodeProto):
    """(gamma, beta) initializer names of the InstanceNormalization whose ReLU, padded, is this
    conv's input and nothing else's; None where the input is anything else (the residual sums)."""
    pad = ix.producer.get(conv.input[0])
    if pad is None or pad.op_type != "Pad" or ix.only_consumer(pad.output[0]) is not conv:
        return None
    relu = ix.producer.get(pad.input[0])
    if relu is None or relu.op_type != "Relu" or ix.only_consumer(relu.output[0]) is not pad:
        return None
    norm = ix.producer.get(relu.input[0])
    if norm is None or norm.op_type != "InstanceNormalization":
        return None
    return _affine_of(ix, norm)


def equalize(model: onnx.ModelProto, convs: List[onnx.NodeProto],
             channel_ranges: Dict[str, Tuple[List[float], List[float]]]) -> Tuple[onnx.ModelProto, Dict]:
    """Per-channel rescaling that leaves the function unchanged, so that per-tensor uint8 scales
    fit every channel (cross-layer equalization, Nagel et al. 2019, adapted to instance norm):
    - output: a conv followed by InstanceNormalization may scale each output channel (weights and
      bias) by any s > 0, which the norm removes; channels are scaled up to the widest one (s >= 1,
      so the norm's epsilon only shrinks);
    - input: an input that is ReLU(IN(.)) takes per-channel s on the norm's style-blended scale and
      shift (ReLU and reflection padding commute with s > 0), and the conv's weights take 1/s;
      s = sqrt(weight range / activation range) balances the two."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    ix = GraphIndex(m)
    report = {}
    for conv in (n for n in m.graph.node if n.name in {c.name for c in convs}):
        W = ix.array(conv.input[1])
        b = ix.array(conv.input[2]) if len(conv.input) > 2 and conv.input[2] else None
        entry = {}
        groups = _output_groups(ix, conv, W.shape[0])
        if groups is not None:
            lo, hi = (np.asarray(v, np.float64) for v in channel_ranges[conv.output[0]])
            amax = np.maximum(np.abs(lo), np.abs(hi))
            gmax = np.array([amax[groups == g].max() for g in range(groups.max() + 1)])
            s = np.where(gmax > 0, gmax.max() / np.maximum(gmax, 1e-12), 1.0)[groups]
            W = W * s[:, None, None, None]
            if b is not None:
                b = b * s
            entry["output_scale_max"] = round(float(s.max()), 2)
        affine = _input_affine(ix, conv)
        if affine is not None:
            r = np.asarray(channel_ranges[conv.input[0]][1], np.float64)   # post-ReLU: [0, max]
            w = np.abs(W).transpose(1, 0, 2, 3).reshape(W.shape[1], -1).max(1)
            s = np.where((r > 0) & (w > 0), np.sqrt(w / np.maximum(r, 1e-12)), 1.0)
            s = s / s[r > 0].max() if (r > 0).any() else s
            s = np.where(s > 0, s, 1.0)
            for name in affine:
                ix.set_array(name, ix.array(name) * s[None, :].astype(np.float32))
            W = W / s[None, :, None, None]
            entry["input_scale_range"] = [round(float(s.min()), 3), round(float(s.max()), 3)]
        ix.set_array(conv.input[1], W)
        if b is not None:
            ix.set_array(conv.input[2], b)
        report[conv.name] = entry
    return m, report


def activation_qparams(lo: float, hi: float) -> Tuple[np.float32, np.uint8]:
    """uint8 scale and zero point covering [lo, hi] and 0 (zero stays exact: padding, ReLU)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = max(hi - lo, 1e-8) / 255.0
    zp = int(np.clip(round(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zp)


def quantize(model: onnx.ModelProto, convs: List[onnx.NodeProto],
             ranges: Dict[str, Tuple[float, float]]) -> onnx.ModelProto:
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    chosen = {n.name for n in convs}

    def const(name: str, arr: np.ndarray) -> str:
        g.initializer.append(numpy_helper.from_array(arr, name))
        return name

    nodes: List[onnx.NodeProto] = []
    for n in g.node:
        if n.op_type != "Conv" or n.name not in chosen:
            nodes.append(n)
            continue
        x, w = n.input[0], n.input[1]
        b = n.input[2] if len(n.input) > 2 and n.input[2] else None
        p = n.name.strip("/").replace("/", "_")
        W = numpy_helper.to_array(inits[w]).astype(np.float32)
        co = W.shape[0]
        sw = (np.maximum(np.abs(W).reshape(co, -1).max(1), 1e-12) / 127.0).astype(np.float32)
        wq = np.clip(np.round(W / sw[:, None, None, None]), -127, 127).astype(np.int8)
        sx, zx = activation_qparams(*ranges[x])
        sy, zy = activation_qparams(*ranges[n.output[0]])
        nodes += [
            helper.make_node("QuantizeLinear", [x, const(f"{p}_sx", np.array(sx)), const(f"{p}_zx", np.array(zx))],
                             [f"{p}_xq"], name=f"{p}_qx"),
            helper.make_node("DequantizeLinear", [f"{p}_xq", f"{p}_sx", f"{p}_zx"], [f"{p}_xdq"], name=f"{p}_dqx"),
            helper.make_node("DequantizeLinear",
                             [const(f"{p}_wq", wq), const(f"{p}_sw", sw), const(f"{p}_zw", np.zeros(co, np.int8))],
                             [f"{p}_wdq"], name=f"{p}_dqw", axis=0),
        ]
        conv_in = [f"{p}_xdq", f"{p}_wdq"]
        if b:
            sb = (sx * sw).astype(np.float32)
            bq = np.round(numpy_helper.to_array(inits[b]).astype(np.float64) / sb).astype(np.int32)
            nodes.append(helper.make_node("DequantizeLinear",
                                          [const(f"{p}_bq", bq), const(f"{p}_sb", sb),
                                           const(f"{p}_zb", np.zeros(co, np.int32))],
                                          [f"{p}_bdq"], name=f"{p}_dqb", axis=0))
            conv_in.append(f"{p}_bdq")
        conv = onnx.NodeProto()
        conv.CopyFrom(n)
        del conv.input[:]
        conv.input.extend(conv_in)
        y = conv.output[0]
        conv.output[0] = f"{p}_yf"
        nodes += [
            conv,
            helper.make_node("QuantizeLinear",
                             [f"{p}_yf", const(f"{p}_sy", np.array(sy)), const(f"{p}_zy", np.array(zy))],
                             [f"{p}_yq"], name=f"{p}_qy"),
            helper.make_node("DequantizeLinear", [f"{p}_yq", f"{p}_sy", f"{p}_zy"], [y], name=f"{p}_dqy"),
        ]
    del g.node[:]
    g.node.extend(nodes)
    # Float weights no longer referenced are dropped (the int8 copies replace them).
    used = {i for n in g.node for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    for o in m.opset_import:
        if o.domain in ("", "ai.onnx") and o.version < 13:
            o.version = 13   # per-channel DequantizeLinear (axis)
    onnx.checker.check_model(m)
    return m


def compare(a_path: str, b_path: str, photos: List[np.ndarray], styles: Sequence[int]) -> Dict:
    """Mean and max absolute difference (0-255) between two graphs' outputs on the same inputs."""
    n = n_styles(onnx.load(a_path))
    diffs = []
    with tempfile.TemporaryDirectory() as d:
        outs = {}
        for tag, path in (("a", a_path), ("b", b_path)):
            outs[tag] = os.path.join(d, tag)
            os.makedirs(outs[tag])
            ort_batch(path, style_feed_jobs(d, photos, n, styles, outs[tag]))
        for pi in range(len(photos)):
            for si in styles:
                ya = np.fromfile(os.path.join(outs["a"], f"y{pi}_{si}.bin"), np.float32)
                yb = np.fromfile(os.path.join(outs["b"], f"y{pi}_{si}.bin"), np.float32)
                diffs.append((float(np.abs(ya - yb).mean()), float(np.abs(ya - yb).max())))
    return {"mean_abs_diff": round(float(np.mean([m for m, _ in diffs])), 3),
            "max_abs_diff": round(max(x for _, x in diffs), 2), "runs": len(diffs)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", help="fp32 ONNX graph (the single-pass graph of a pack)")
    p.add_argument("out")
    p.add_argument("--convs", default="res", choices=CONV_SETS)
    p.add_argument("--photos", type=int, default=8, help="calibration photos from data/content/open")
    p.add_argument("--size", type=int, default=384, help="calibration long edge")
    p.add_argument("--no-equalize", dest="equalize", action="store_false", help="skip cross-layer equalization")
    p.add_argument("--io", default="rgb8", choices=("rgb8", "float"),
                   help="rgb8 (default): uint8 NHWC input and output, what the app feeds (training/deploy/rgb8.py); "
                        "float: the source's I/O")
    p.add_argument("--float-out", default=None, help="also save the equalized float graph (parity check)")
    p.add_argument("--pack", default=None,
                   help="models/manifest.json entry to record the graph in as its 'int8' variant "
                        "(needs --eval: the training/core/eval.py results of this very file)")
    p.add_argument("--eval", default=None, help="training/core/eval.py JSON of OUT (checked by sha256)")
    a = p.parse_args(argv)
    model = onnx.load(a.model)
    convs = chosen_convs(model, a.convs)
    photos = calibration_photos(a.photos, a.size)
    eq = {}
    if a.equalize:
        model, eq = equalize(model, convs, calibrate(model, convs, photos, per_channel=True))
        convs = chosen_convs(model, a.convs)
    ranges = calibrate(model, convs, photos)
    q = quantize(model, convs, ranges)
    if a.io == "rgb8":
        q = rgb8.wrap(q)
    if a.float_out:
        onnx.save(model, a.float_out)
    # With --pack the file only replaces OUT once the manifest accepts it: never a pack whose
    # int8 file and manifest disagree.
    path = f"{a.out}.tmp" if a.pack else a.out
    onnx.save(q, path)
    report = {"model": os.path.basename(a.model), "out": os.path.basename(a.out), "convs": a.convs,
              "quantized": len(convs), "io": a.io,
              "calibration": {"photos": len(photos), "long_edge": a.size, "styles": n_styles(model),
                              "folder": "data/content/open"},
              "equalization": eq, "ranges": {k: [round(v[0], 4), round(v[1], 4)] for k, v in sorted(ranges.items())}}
    # Output change against the float graph, on photos the calibration did not see.
    report["vs_float32"] = compare(a.model, path, held_out_photos(6, 512), range(n_styles(model)))
    if a.pack:
        try:
            if not a.eval:
                raise SystemExit("--pack needs --eval (training/core/eval.py results of the quantized file)")
            record(path, a.out, a.eval, a.pack, report)
        finally:
            if os.path.exists(path):
                os.remove(path)
    print(json.dumps({k: v for k, v in report.items() if k != "ranges"}))


def held_out_photos(n: int, long_edge: int) -> List[np.ndarray]:
    """Training photos of the research set (calibration reads the open set; Kodak stays for eval)."""
    files = list_images([os.path.join(default_shared_dir(), "content", "research")])
    return [photo_array(f, long_edge) for f in files[:: max(1, len(files) // n)][:n]]


MAX_DISTANCE_CHANGE = 0.05   # the quality rule: every style's distances within 5% of float32


def distance_changes(entry: Dict, ev: Dict) -> Tuple[List[Dict], float]:
    """Per style of an eval (training/core/eval.py JSON) the content and style distances against the
    float32 pack's (its manifest entry), and the worst relative change (positive = worse)."""
    by_id = {s["id"]: s for s in entry["styles"]}
    per_style, worst = [], float("-inf")
    for r in ev["styles"]:
        sid = STYLE_IDS.get(r["file"], r["style"])
        base = by_id[sid]["quality"]
        change = {k: (r[k] - base[k]) / base[k] for k in ("content_distance", "style_distance")}
        worst = max(worst, *change.values())
        per_style.append({"id": sid, **{k: r[k] for k in change},
                          **{f"{k}_change": f"{v:+.1%}" for k, v in change.items()}})
    if len(per_style) != len(entry["styles"]):
        raise SystemExit(f"Expected all {len(entry['styles'])} styles in the evaluation but received {len(per_style)}")
    return per_style, worst


def record(new: str, out: str, eval_path: str, pack: str, report: Dict) -> None:
    """Moves the graph `new` to `out` and adds it to the pack's manifest entry (beside `out`) as
    its 'int8' variant, with its measured quality; refuses (changing nothing) when a style's content
    or style distance is more than 5% worse than the float32 pack's, or when the evaluation is of
    another file."""
    from ..core.export import file_ref, sha256
    from ..core.manifest import write_manifest
    ev = json.load(open(eval_path))
    if ev.get("onnx_sha256") != sha256(new):
        raise SystemExit(f"Expected {eval_path} to evaluate this graph (sha256 {sha256(new)[:12]}) "
                         f"but it evaluated {str(ev.get('onnx_sha256'))[:12]}")
    man_path = os.path.join(os.path.dirname(os.path.abspath(out)), "manifest.json")
    man = json.load(open(man_path))
    entry = next((m for m in man["models"] if m["id"] == pack), None)
    if entry is None:
        raise SystemExit(f"Expected a model id in {man_path} but received {pack!r}")
    per_style, worst = distance_changes(entry, ev)
    if worst > MAX_DISTANCE_CHANGE:
        raise SystemExit(f"int8 graph is {worst:.1%} worse than float32 on some style "
                         f"(limit {MAX_DISTANCE_CHANGE:.0%}): not recorded")
    os.replace(new, out)
    entry["variants"]["int8"] = file_ref(out)
    entry.setdefault("graph", {})["int8_variant"] = (
        f"training/deploy/quantize.py: the single-pass graph with int8 convolutions ({report['convs']} convs, "
        "QDQ: per-channel int8 weights, per-tensor uint8 activations, cross-layer equalization), for the CPU provider"
        + ("; 8-bit RGB I/O: uint8 [1,H,W,3] in and out (training/deploy/rgb8.py)"
           if report.get("io") == "rgb8" else ""))
    entry.setdefault("quality", {})["int8"] = {
        "eval": "training/core/eval.py through onnxruntime-node: 24 Kodak photos (held out), long edge 512",
        "mean_content_distance": ev["mean_content_distance"], "mean_style_distance": ev["mean_style_distance"],
        "worst_change": f"{worst:+.1%}", "styles": per_style,
        "calibration": report["calibration"], "vs_float32_on_research_photos": report["vs_float32"],
    }
    write_manifest(man_path, man["models"])


if __name__ == "__main__":
    main()
