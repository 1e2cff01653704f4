"""Train a generator (one style, or many with conditional instance norm).

    python3 -m training.core.train --styles starry_night_google.jpg wave.jpg --norm cond_instance \
        --time-budget 300 --out training/runs/pack

Checkpoints (`last.pt`) carry model, optimizer, step and settings, so a run can be resumed
(`--resume`) across device calls.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from typing import Dict, List

import torch

from .data import ContentCrops, default_shared_dir, list_images, load_rgb
from .losses import STYLE_LAYERS, downscale, gram, perceptual_loss
from .model import Generator, GeneratorConfig, NormContext, count_params
from .vgg import VGGFeatures

DEFAULTS = dict(width=16, res_blocks=5, batch=16, crop=256, lr=1e-3, content_weight=1.0, style_weight=4.0,
                tv_weight=0.5, style_size=512, scales=[1, 2])


def style_targets(vgg: VGGFeatures, style_files: List[str], style_size: int, scales: List[int],
                  device: torch.device) -> Dict[int, List[torch.Tensor]]:
    """Gram targets per scale: {scale: [ [S,C,C] per style layer ]}."""
    out: Dict[int, List[torch.Tensor]] = {s: [] for s in scales}
    per_style: Dict[int, List[List[torch.Tensor]]] = {s: [] for s in scales}
    with torch.no_grad():
        for f in style_files:
            img = load_rgb(f, max_long_edge=style_size).unsqueeze(0).float().to(device)
            for s in scales:
                feats = vgg(downscale(img, s), STYLE_LAYERS)
                per_style[s].append([gram(x)[0] for x in feats])
    for s in scales:
        out[s] = [torch.stack([g[i] for g in per_style[s]]) for i in range(len(STYLE_LAYERS))]
    return out


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--styles", nargs="+", required=True, help="style image files (paths or names in shared/styles)")
    p.add_argument("--content", nargs="+", default=None, help="content folders (default: shared open + research)")
    p.add_argument("--norm", default="instance", choices=["instance", "batch", "cond_instance"])
    p.add_argument("--width", type=int, default=DEFAULTS["width"])
    p.add_argument("--res-blocks", type=int, default=DEFAULTS["res_blocks"])
    p.add_argument("--batch", type=int, default=DEFAULTS["batch"])
    p.add_argument("--crop", type=int, default=DEFAULTS["crop"])
    p.add_argument("--lr", type=float, default=DEFAULTS["lr"])
    p.add_argument("--content-weight", type=float, default=DEFAULTS["content_weight"])
    p.add_argument("--style-weight", type=float, default=DEFAULTS["style_weight"])
    p.add_argument("--tv-weight", type=float, default=DEFAULTS["tv_weight"])
    p.add_argument("--style-size", type=int, default=DEFAULTS["style_size"])
    p.add_argument("--scales", type=int, nargs="+", default=DEFAULTS["scales"])
    p.add_argument("--steps", type=int, default=0, help="stop after this many steps (0: time budget only)")
    p.add_argument("--time-budget", type=float, default=0, help="stop after this many seconds of training")
    p.add_argument("--out", required=True)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--resume-lr-factor", type=float, default=0.1,
                   help="learning rate of a resumed run, as a fraction of --lr: restarting at the full rate "
                        "undid a settled pack and grew dark blob artefacts (training/README.md)")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--amp", default="bf16", choices=["bf16", "fp16", "off"])
    p.add_argument("--channels-last", action="store_true", default=True)
    p.add_argument("--checkpoint-every", type=float, default=60.0, help="seconds")
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: default)")
    args = p.parse_args(argv)
    if args.steps <= 0 and args.time_budget <= 0:
        p.error("give --steps or --time-budget")
    return args


def resolve_styles(names: List[str], shared: str) -> List[str]:
    return [n if os.path.exists(n) else os.path.join(shared, "styles", n) for n in names]


def save_checkpoint(path, model, opt, step, seen, args, style_files, elapsed):
    tmp = path + ".tmp"
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": step, "images": seen,
                "elapsed": elapsed, "config": model.cfg.to_dict(), "styles": [os.path.basename(s) for s in style_files],
                "args": {k: v for k, v in vars(args).items() if k not in ("resume",)}}, tmp)
    os.replace(tmp, path)


def train(args) -> dict:
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    shared = default_shared_dir()
    style_files = resolve_styles(args.styles, shared)
    content_dirs = args.content or [os.path.join(shared, "content", s) for s in ("open", "research")]
    os.makedirs(args.out, exist_ok=True)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True

    n_styles = len(style_files)
    norm = args.norm if n_styles == 1 or args.norm == "cond_instance" else "cond_instance"
    cfg = GeneratorConfig(width=args.width, res_blocks=args.res_blocks, norm=norm,
                          n_styles=n_styles if norm == "cond_instance" else 1)
    model = Generator(cfg).to(device)
    vgg = VGGFeatures().to(device)
    mf = torch.channels_last if (args.channels_last and device.type == "cuda") else torch.contiguous_format
    model = model.to(memory_format=mf)
    vgg = vgg.to(memory_format=mf)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    step, seen, elapsed0 = 0, 0, 0.0
    ckpt_path = os.path.join(args.out, "last.pt")
    if args.resume and os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path, map_location=device)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        step, seen, elapsed0 = ck["step"], ck["images"], ck["elapsed"]
        args.lr *= args.resume_lr_factor

    t_load = time.time()
    data = ContentCrops(list_images(content_dirs), args.crop, device, seed=args.seed + step)
    targets = style_targets(vgg, style_files, args.style_size, args.scales, device)
    load_s = time.time() - t_load

    amp_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(args.amp)
    use_amp = amp_dtype is not None and device.type == "cuda"
    scaler = torch.cuda.amp.GradScaler(enabled=use_amp and amp_dtype == torch.float16)
    gen = torch.Generator().manual_seed(args.seed + step)
    log: List[dict] = []
    model.train()
    t0 = time.time()
    last_ck = t0
    steps_this_run = 0
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    while True:
        elapsed = time.time() - t0
        if (args.steps and step >= args.steps) or (args.time_budget and elapsed >= args.time_budget):
            break
        # Linear decay over the last 30 % of the budget: a short run still ends on a settled model.
        progress = max(step / args.steps if args.steps else 0.0,
                       elapsed / args.time_budget if args.time_budget else 0.0)
        for group in opt.param_groups:
            group["lr"] = args.lr * min(1.0, (1.0 - progress) / 0.3)
        x = data.batch(args.batch).to(memory_format=mf)
        style_idx = torch.randint(0, n_styles, (args.batch,), generator=gen).to(device)
        style_w = torch.nn.functional.one_hot(style_idx, n_styles).float() if cfg.norm == "cond_instance" else None
        with torch.autocast(device_type=device.type, dtype=amp_dtype or torch.bfloat16, enabled=use_amp):
            y = model(x, NormContext(style=style_w))
            parts = perceptual_loss(vgg, y, x, targets, style_idx, scales=args.scales,
                                    content_weight=args.content_weight, style_weight=args.style_weight,
                                    tv_weight=args.tv_weight)
            loss, lc, ls, ltv = (parts.total, parts.content.mean().item(), float(parts.style.mean()),
                                 parts.tv.mean().item())
        opt.zero_grad(set_to_none=True)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        step += 1
        steps_this_run += 1
        seen += args.batch
        if step % args.log_every == 0 or step == 1:
            sync()
            e = time.time() - t0
            rec = dict(step=step, loss=loss.item(), content=lc, style=ls, tv=ltv, seconds=round(e, 2),
                       images_per_s=round(steps_this_run * args.batch / max(e, 1e-6), 1))
            log.append(rec)
            print(json.dumps(rec), flush=True)
        if time.time() - last_ck > args.checkpoint_every:
            save_checkpoint(ckpt_path, model, opt, step, seen, args, style_files, elapsed0 + time.time() - t0)
            last_ck = time.time()
    sync()
    total = time.time() - t0
    save_checkpoint(ckpt_path, model, opt, step, seen, args, style_files, elapsed0 + total)
    # Weights-only copy for export/eval (a few MB smaller than the resumable checkpoint).
    torch.save({"model": model.state_dict(), "config": cfg.to_dict(),
                "styles": [os.path.basename(s) for s in style_files], "step": step, "images": seen},
               os.path.join(args.out, "model.pt"))
    summary = dict(steps=step, images=seen, train_seconds=round(elapsed0 + total, 1), load_seconds=round(load_s, 1),
                   images_per_s=round(steps_this_run * args.batch / max(total, 1e-6), 1), params=count_params(model),
                   device=torch.cuda.get_device_name() if device.type == "cuda" else "cpu", torch=torch.__version__,
                   content_photos=len(data), content_sets=[os.path.basename(d) for d in content_dirs],
                   config=cfg.to_dict(), styles=[os.path.basename(s) for s in style_files],
                   settings={k: v for k, v in vars(args).items() if k not in ("styles", "content", "out", "resume")},
                   final=log[-1] if log else None)
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    with open(os.path.join(args.out, "log.jsonl"), "a") as f:
        for rec in log:
            f.write(json.dumps(rec) + "\n")
    return summary


def main(argv=None):
    summary = train(parse_args(argv))
    print(json.dumps({k: summary[k] for k in ("steps", "images", "images_per_s", "train_seconds")}))


if __name__ == "__main__":
    main()
