"""Fixed-shape copies of the pack16 models (what freeDimensionOverrides would do; the Node binding
ignores that option). Needs the `onnx` package (present on the GPU machine).

    python3 bench/device/fix_shapes.py OUT_DIR 1920x1080 [WxH ...]
"""
import os
import sys

import onnx

MODELS = ["models/pastiche-pack16.onnx", "models/pastiche-pack16-fp16.onnx"]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for size in sys.argv[2:] or ["1920x1080"]:
        w, h = (int(v) for v in size.split("x"))
        for f in MODELS:
            m = onnx.load(f)
            for v in list(m.graph.input) + list(m.graph.output):
                for d in v.type.tensor_type.shape.dim:
                    if d.dim_param in ("height", "width"):
                        val = h if d.dim_param == "height" else w
                        d.ClearField("dim_param")
                        d.dim_value = val
            # Intermediate value_info keep symbolic dims; ORT re-infers them from the fixed inputs.
            del m.graph.value_info[:]
            dst = os.path.join(out, f"{os.path.splitext(os.path.basename(f))[0]}-{w}x{h}.onnx")
            onnx.save(m, dst)
            print("wrote", dst, flush=True)


if __name__ == "__main__":
    main()
