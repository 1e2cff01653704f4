"""The one prepared device run: everything that needs the GPU, in one call, within a time budget.

    PASTICHE_SHARED_DIR=.device-carry python3 -m training.experiments.device_run --out $OUT [--scale 1.0]

Phases (training phases run concurrently on the one GPU; each is a separate process so a failure
in one cannot take down the others):
  pack-a / pack-b  the built-in pack (conditional IN, 16 styles) at two style weights; the better
                   one is chosen by eye on the contact sheets afterwards
  cmp-in / cmp-bn  the paper's comparison: same generator and budget, instance vs batch norm
then: PyTorch CUDA timings (ours vs the reference width) and fp16 ONNX export.
Results are packed into tarballs under --out (checkpoints, logs, summaries, timings).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import time

from ..core.paintings import STYLE_IDS

PACK_STYLES = list(STYLE_IDS)   # the built-in pack, in style-index order


def run_phases(out: str, scale: float, device: str) -> dict:
    runs = os.path.join(out, "runs")
    os.makedirs(runs, exist_ok=True)
    t_pack = int(390 * scale)
    t_cmp = int(240 * scale)
    common = ["--device", device, "--threads", "3", "--log-every", "100" if scale >= 1 else "2"]
    if device == "cpu":
        common += ["--crop", "64", "--style-size", "128", "--amp", "off"]
    phases = {
        "pack-a": ["--styles", *PACK_STYLES, "--norm", "cond_instance", "--batch", "24", "--style-weight", "3",
                   "--time-budget", str(t_pack)],
        "pack-b": ["--styles", *PACK_STYLES, "--norm", "cond_instance", "--batch", "24", "--style-weight", "8",
                   "--time-budget", str(t_pack)],
        "cmp-in": ["--styles", "starry_night_google.jpg", "--norm", "instance", "--batch", "8", "--style-weight", "3",
                   "--steps", str(int(4000 * scale) or 4), "--time-budget", str(t_cmp)],
        "cmp-bn": ["--styles", "starry_night_google.jpg", "--norm", "batch", "--batch", "8", "--style-weight", "3",
                   "--steps", str(int(4000 * scale) or 4), "--time-budget", str(t_cmp)],
    }
    procs = {}
    for name, args in phases.items():
        d = os.path.join(runs, name)
        os.makedirs(d, exist_ok=True)
        log = open(os.path.join(d, "stdout.txt"), "w")
        procs[name] = (subprocess.Popen([sys.executable, "-m", "training.core.train", *args, *common, "--out", d],
                                        stdout=log, stderr=subprocess.STDOUT), log)
    status = {}
    for name, (p, log) in procs.items():
        status[name] = p.wait()
        log.close()
        print(f"phase {name}: exit {status[name]}", flush=True)
    return status


def bench_torch(out: str) -> dict:
    """Median forward time of our width and the reference width (32/64/128) at 1080p and 4K."""
    import torch

    from ..core.fast_graph import FastGenerator
    from ..core.model import Generator, GeneratorConfig
    res = {"device": torch.cuda.get_device_name(), "torch": torch.__version__, "runs": []}
    # (width, exported-graph rewrite): ours as trained and as exported, and the reference width.
    for width, fast in ((16, False), (16, True), (32, False)):
        for dtype in (torch.float32, torch.float16):
            g = Generator(GeneratorConfig(width=width)).eval()
            g = (FastGenerator(g) if fast else g).cuda().eval().to(dtype).to(memory_format=torch.channels_last)
            for (h, w) in ((1080, 1920), (2160, 3840)):
                x = (torch.rand(1, 3, h, w, device="cuda") * 255).to(dtype).to(memory_format=torch.channels_last)
                times = []
                with torch.no_grad():
                    for _ in range(13):
                        torch.cuda.synchronize()
                        t = time.perf_counter()
                        g(x)
                        torch.cuda.synchronize()
                        times.append(time.perf_counter() - t)
                times = sorted(times[3:])
                res["runs"].append({"width": width, "graph": "fast" if fast else "trained",
                                    "dtype": str(dtype).replace("torch.", ""), "size": f"{w}x{h}",
                                    "median_ms": round(1000 * times[len(times) // 2], 2),
                                    "min_ms": round(1000 * times[0], 2)})
                print(json.dumps(res["runs"][-1]), flush=True)
    return res


def export_fp16(out: str) -> dict:
    """fp16 ONNX needs CUDA (PyTorch's CPU kernels lack half reflection padding). Parity vs PyTorch
    fp32 with onnxruntime (CPU build here) at two sizes."""
    import numpy as np

    # onnxruntime's telemetry off before it loads (electron/worker/no-telemetry.ts says why).
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    import onnxruntime as ort
    import torch

    from ..core.export import export_model, load_checkpoint
    res = {}
    for name in ("pack-a", "pack-b"):
        ck = os.path.join(out, "runs", name, "model.pt")
        if not os.path.exists(ck):
            continue
        d = os.path.join(out, "onnx", name)
        refs = export_model(load_checkpoint(ck), d, "pack", half=True, device="cuda")
        g = load_checkpoint(ck)
        n = g.cfg.n_styles
        parity = []
        for (h, w) in ((256, 384), (516, 772)):
            x = torch.rand(1, 3, h, w) * 255
            st = torch.zeros(1, n)
            st[0, 0] = 1
            with torch.no_grad():
                ref = g.forward_with_stats(x, st)[0].clamp(0, 255).numpy()
            s = ort.InferenceSession(os.path.join(d, refs["full"]["file"]), providers=["CPUExecutionProvider"])
            y = s.run(["output"], {"input": x.numpy(), "style": st.numpy()})[0]
            parity.append({"size": f"{w}x{h}", "max_abs_diff": float(np.abs(y - ref).max()),
                           "mean_abs_diff": float(np.abs(y - ref).mean())})
        res[name] = {"refs": refs, "parity_vs_torch_fp32": parity}
        print(name, json.dumps(parity), flush=True)
    return res


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--scale", type=float, default=1.0, help="fraction of the full time budget (tests: tiny)")
    p.add_argument("--device", default="cuda")
    a = p.parse_args()
    t0 = time.time()
    report = {"phases": run_phases(a.out, a.scale, a.device)}
    for name, fn in (("bench_torch", bench_torch), ("export_fp16", export_fp16)):
        if a.device != "cuda":
            break
        try:
            report[name] = fn(a.out)
        except Exception as e:  # keep whatever else finished
            report[name] = {"error": repr(e)}
            print(name, "failed:", repr(e), flush=True)
    report["seconds"] = round(time.time() - t0, 1)
    with open(os.path.join(a.out, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    # Small results in one archive; resumable checkpoints (with optimizer state) in another.
    with tarfile.open(os.path.join(a.out, "results.tar.gz"), "w:gz") as t:
        t.add(os.path.join(a.out, "report.json"), "report.json")
        for root, _, files in os.walk(os.path.join(a.out, "runs")):
            for f in files:
                if f != "last.pt":
                    full = os.path.join(root, f)
                    t.add(full, os.path.relpath(full, a.out))
        if os.path.isdir(os.path.join(a.out, "onnx")):
            t.add(os.path.join(a.out, "onnx"), "onnx")
    with tarfile.open(os.path.join(a.out, "resume.tar"), "w") as t:
        for name in ("pack-a", "pack-b"):
            ck = os.path.join(a.out, "runs", name, "last.pt")
            if os.path.exists(ck):
                t.add(ck, f"runs/{name}/last.pt")
    print(json.dumps({k: v for k, v in report.items() if k != "export_fp16"}, indent=1))


if __name__ == "__main__":
    main()
