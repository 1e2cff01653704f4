"""8-bit RGB I/O for a shipped graph: uint8 [1,H,W,3] in, uint8 [1,H,W,3] out.

    python3 -m training.deploy.rgb8 models/some-single.onnx out.onnx

The app decodes photos to interleaved 8-bit RGB and encodes 8-bit RGB. A float32 NCHW graph makes
it convert both ways in JavaScript (1080p: about 20 ms each, single-threaded, plus 2 x 24 MB of
float tensors per photo) while ONNX Runtime waits: onnxruntime-node runs a session on the
JavaScript thread. Inside the graph the conversions are a Transpose and a Cast on each side, which
ONNX Runtime runs in a few milliseconds on all its threads (docs/performance.md).

The wrapped graph keeps the tensor names 'input' and 'output' (so the manifest's io names still
hold); the float graph's own tensors become 'input_f32' and 'output_f32'. The output is rounded
half up after clamping to 0..255, exactly as the app's own conversion (tensorToRgb) does, so the
bytes match the float graph's output as the app would have written it.
"""
from __future__ import annotations

import argparse
from typing import Tuple

import onnx
from onnx import TensorProto, helper

IO_NAMES: Tuple[str, str] = ("input", "output")


def takes_rgb8(model: onnx.ModelProto) -> bool:
    return any(i.name == IO_NAMES[0] and i.type.tensor_type.elem_type == TensorProto.UINT8 for i in model.graph.input)


def _constant(g: onnx.GraphProto, name: str):
    from onnx import numpy_helper
    for i in g.initializer:
        if i.name == name:
            return float(numpy_helper.to_array(i))
    for n in g.node:
        if n.op_type == "Constant" and n.output[0] == name:
            return float(numpy_helper.to_array(n.attribute[0].t))
    return None


def _scalar(output: str, name: str, value: float) -> onnx.NodeProto:
    return helper.make_node("Constant", [], [output], value=helper.make_tensor(name, TensorProto.FLOAT, [], [value]))


def _clips_to_bytes(g: onnx.GraphProto, node: onnx.NodeProto) -> bool:
    """node is a Clip whose bounds lie within 0..255."""
    if node.op_type != "Clip" or len(node.input) < 3:
        return False
    lo, hi = _constant(g, node.input[1]), _constant(g, node.input[2])
    return lo is not None and hi is not None and lo >= 0 and hi <= 255


def wrap(model: onnx.ModelProto, value_range: Tuple[float, float] = (0.0, 255.0)) -> onnx.ModelProto:
    """A copy of `model` (float32 'input' [1,3,H,W] and 'output' [1,3,H,W], values in value_range)
    with uint8 NHWC I/O under the same names."""
    if tuple(value_range) != (0.0, 255.0):
        raise ValueError(f"Expected a graph with range [0, 255] for rgb8 I/O but received {list(value_range)}")
    inp, out = IO_NAMES
    m = onnx.ModelProto()
    m.CopyFrom(model)
    g = m.graph
    if takes_rgb8(m):
        raise ValueError("Expected a float32 graph but received one that already takes 8-bit RGB")
    ins = {i.name: i for i in g.input}
    outs = {o.name: o for o in g.output}
    if inp not in ins or ins[inp].type.tensor_type.elem_type != TensorProto.FLOAT:
        raise ValueError(f"Expected a float32 input named '{inp}' but received inputs {sorted(ins)}")
    if out not in outs:
        raise ValueError(f"Expected an output named '{out}' but received outputs {sorted(outs)}")
    if len(outs) != 1:
        # Other outputs (the stats of the 'full' graph) are float by nature: wrap single-pass graphs only.
        raise ValueError(f"Expected one output but received {sorted(outs)}: wrap the single-pass graph")
    f_in, f_out = f"{inp}_f32", f"{out}_f32"
    for n in g.node:
        n.input[:] = [f_in if x == inp else x for x in n.input]
        n.output[:] = [f_out if x == out else x for x in n.output]
    producer = next(n for n in g.node if f_out in n.output)

    height, width = [d.dim_param or d.dim_value for d in ins[inp].type.tensor_type.shape.dim][2:]
    index = list(g.input).index(ins[inp])
    g.input.remove(ins[inp])
    g.input.insert(index, helper.make_tensor_value_info(inp, TensorProto.UINT8, [1, height, width, 3]))
    g.output.remove(outs[out])
    g.output.append(helper.make_tensor_value_info(out, TensorProto.UINT8, [1, height, width, 3]))

    # Transpose the bytes before the Cast (a quarter of the memory traffic) and after it on the way out.
    pre = [helper.make_node("Transpose", [inp], ["rgb8/nchw"], name="rgb8/in/Transpose", perm=[0, 3, 1, 2]),
           helper.make_node("Cast", ["rgb8/nchw"], [f_in], name="rgb8/in/Cast", to=TensorProto.FLOAT)]
    post = []
    clipped = f_out
    if not _clips_to_bytes(g, producer):   # the shipped graphs end in Clip(0, 255); others get one
        post += [_scalar("rgb8/lo", "lo", 0.0), _scalar("rgb8/hi", "hi", 255.0),
                 helper.make_node("Clip", [f_out, "rgb8/lo", "rgb8/hi"], ["rgb8/clipped"], name="rgb8/out/Clip")]
        clipped = "rgb8/clipped"
    # Cast to uint8 truncates: + 0.5 first rounds half up (values are >= 0).
    post += [_scalar("rgb8/half", "half", 0.5),
             helper.make_node("Add", [clipped, "rgb8/half"], ["rgb8/rounded"], name="rgb8/out/Add"),
             helper.make_node("Cast", ["rgb8/rounded"], ["rgb8/bytes"], name="rgb8/out/Cast", to=TensorProto.UINT8),
             helper.make_node("Transpose", ["rgb8/bytes"], [out], name="rgb8/out/Transpose", perm=[0, 2, 3, 1])]
    nodes = pre + list(g.node) + post
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(m)
    return m


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", help="float32 single-pass ONNX graph")
    p.add_argument("out")
    a = p.parse_args(argv)
    onnx.save(wrap(onnx.load(a.model)), a.out)


if __name__ == "__main__":
    main()
