"""Distil a shallower generator from a shipped multi-style model (fewer residual blocks = fewer
multiply-adds): the student starts from the teacher's weights with some residual blocks dropped and
learns to reproduce the teacher's outputs (L1 on the 0-255 scale) on content crops, one style or a
two-style blend per crop. Cheap enough for a CPU (no VGG): see docs/performance.md.

    python3 -m training.experiments.distill models/pastiche-pack16.onnx --blocks 3 --time-budget 2400 --out runs/d3
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import time

import torch

from ..core.data import ContentCrops, default_shared_dir, list_images
from ..core.export import load_onnx
from ..core.model import Generator, GeneratorConfig, NormContext
from ..core.paintings import STYLE_IDS, painting_files


def student_from(teacher: Generator, keep) -> Generator:
    cfg = GeneratorConfig(**{**teacher.cfg.to_dict(), "res_blocks": len(keep)})
    s = Generator(cfg)
    sd, out = teacher.state_dict(), {}
    for k in s.state_dict():
        if k.startswith("res."):
            i = int(k.split(".")[1])
            out[k] = sd[k.replace(f"res.{i}.", f"res.{keep[i]}.", 1)]
        else:
            out[k] = sd[k]
    s.load_state_dict(out)
    return s


def random_styles(n: int, n_styles: int, rng: random.Random) -> torch.Tensor:
    st = torch.zeros(n, n_styles)
    for i in range(n):
        a = rng.randrange(n_styles)
        if rng.random() < 0.25:   # blends too: the app mixes two styles' parameters
            b, w = rng.randrange(n_styles), rng.uniform(0.2, 0.8)
            st[i, a] += w
            st[i, b] += 1 - w
        else:
            st[i, a] = 1
    return st


def pick_blocks(teacher: Generator, blocks: int, x: torch.Tensor, styles: torch.Tensor):
    """The subset of residual blocks whose removal changes the output least on a probe batch."""
    with torch.no_grad():
        ref = teacher(x, NormContext(style=styles))
        best = None
        for keep in itertools.combinations(range(teacher.cfg.res_blocks), blocks):
            d = float((student_from(teacher, keep)(x, NormContext(style=styles)) - ref).abs().mean())
            if best is None or d < best[0]:
                best = (d, keep)
    return best[1], best[0]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("teacher", help="fp32 ONNX of a multi-style pack (its weights are read back)")
    p.add_argument("--blocks", type=int, default=3)
    p.add_argument("--content", nargs="+", default=None, help="content photo folders (default: shared open + research)")
    p.add_argument("--crop", type=int, default=160)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--steps", type=int, default=0, help="0: until --time-budget")
    p.add_argument("--time-budget", type=float, default=600.0)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    teacher = load_onnx(a.teacher).eval()
    for q in teacher.parameters():
        q.requires_grad_(False)
    n = teacher.cfg.n_styles
    if teacher.cfg.norm != "cond_instance" or n != len(STYLE_IDS):
        raise SystemExit(f"Expected the {len(STYLE_IDS)}-style conditional-IN pack but received {a.teacher}")
    shared = default_shared_dir()
    folders = a.content or [os.path.join(shared, "content", s) for s in ("open", "research")]
    data = ContentCrops(list_images(folders), a.crop, torch.device("cpu"), seed=a.seed)
    probe_x = data.batch(16)
    keep, probe_l1 = pick_blocks(teacher, a.blocks, probe_x, random_styles(16, n, rng))
    student = student_from(teacher, keep).train()
    opt = torch.optim.Adam(student.parameters(), lr=a.lr)
    os.makedirs(a.out, exist_ok=True)
    log = open(os.path.join(a.out, "log.jsonl"), "w")
    t0, step, seen = time.time(), 0, 0
    while (a.steps and step < a.steps) or (not a.steps and time.time() - t0 < a.time_budget):
        x = data.batch(a.batch)
        st = random_styles(a.batch, n, rng)
        with torch.no_grad():
            y = teacher(x, NormContext(style=st))
        loss = (student(x, NormContext(style=st)) - y).abs().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        seen += a.batch
        if step % 20 == 0 or step == 1:
            rec = {"step": step, "images": seen, "l1": round(float(loss), 3), "s": round(time.time() - t0, 1)}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            print(json.dumps(rec), flush=True)
    man = json.load(open(os.path.join(os.path.dirname(os.path.abspath(a.teacher)), "manifest.json")))
    styles = painting_files(next(m for m in man["models"] if m["file"] == os.path.basename(a.teacher)))
    summary = {"teacher": os.path.basename(a.teacher), "kept_blocks": list(keep), "probe_l1_before": round(probe_l1, 3),
               "steps": step, "images": seen, "train_seconds": round(time.time() - t0, 1), "device": "cpu",
               "threads": a.threads, "torch": torch.__version__, "config": student.cfg.to_dict(),
               "settings": {k: v for k, v in vars(a).items() if k != "out"}}
    torch.save({"model": student.state_dict(), "config": student.cfg.to_dict(), "styles": styles,
                "step": step, "images": seen}, os.path.join(a.out, "model.pt"))
    json.dump(summary, open(os.path.join(a.out, "summary.json"), "w"), indent=1)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
