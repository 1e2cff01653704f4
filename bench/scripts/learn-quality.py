"""Learned-style quality after a fixed time: Cézanne, Tahiti and In Bed learned one after the other,
each then measured on the 24 Kodak photos (training.styles.evaluate). The learner is the Python one
by default; --cmd runs another (the engine's) under the same budget, so both sides of a comparison
come from one script on one machine.

    /usr/bin/python3 bench/scripts/learn-quality.py --minutes 10 --tag py-10-min
    /usr/bin/python3 bench/scripts/learn-quality.py --minutes 10 --tag engine-10-min \\
        --cmd 'LEARNER {painting} --id {id} --minutes {minutes} --out {out}'

--cmd is a shell command with {painting}, {id}, {minutes} and {out} filled in; it must leave
{out}/{id}.json, a style file of the pack. Writes models/eval/<tag>-<id>.json per painting (and
the contact sheets with --sheets) and prints a table and one JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, ROOT)

from training.core.data import default_shared_dir  # noqa: E402

PAINTINGS = [("cezanne.jpg", "cezanne-still-life"), ("tahiti_guaguin.jpg", "gauguin-tahiti"),
             ("toulouse-in_bed.png", "toulouse-in-bed")]
# Every core, as the engine's learner uses (os.availableParallelism()): torch's own default may be fewer.
PYTHON = (f"{shlex.quote(sys.executable)} -m training.styles.learn {{painting}} --id {{id}} --minutes {{minutes}} "
          f"--out {{out}} --overwrite --threads {os.cpu_count() or 1}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--tag", required=True, help="name of the results (models/eval/<tag>-<id>.json)")
    p.add_argument("--cmd", default=PYTHON, help="the learner (default: the Python one)")
    p.add_argument("--out", default=None, help="folder for the style files (default models/eval/<tag>)")
    p.add_argument("--sheets", action="store_true", help="also write contact sheets")
    a = p.parse_args()
    out = a.out or os.path.join(ROOT, "models", "eval", a.tag)
    rows = []
    for file, sid in PAINTINGS:
        painting = os.path.join(default_shared_dir(), "styles", file)
        cmd = a.cmd.format(painting=shlex.quote(painting), id=sid, minutes=a.minutes, out=shlex.quote(out))
        t0 = time.time()
        r = subprocess.run(cmd, shell=True, cwd=ROOT, capture_output=True, text=True)
        wall = time.time() - t0
        if r.returncode != 0:
            raise SystemExit(f"the learner failed on {file} (exit {r.returncode}): {r.stderr[-2000:]}")
        with open(os.path.join(out, f"{sid}.json"), encoding="utf-8") as f:
            prov = json.load(f).get("provenance") or {}
        steps, start = prov.get("steps"), prov.get("init")
        subprocess.run([sys.executable, "-m", "training.styles.evaluate", os.path.join(out, f"{sid}.json"), painting,
                        "--name", a.tag] + ([] if a.sheets else ["--no-sheet"]), cwd=ROOT, check=True,
                       capture_output=True)
        res = json.load(open(os.path.join(ROOT, "models", "eval", f"{a.tag}-{sid}.json")))
        rows.append({"style": sid, "start": start, "steps": steps, "wallS": round(wall, 1), "content": res["content_distance"],
                     "style_distance": res["style_distance"], "meets": res["meets_targets"], "pack": res["pack"]})
        print(f"{sid:20s} start {start}  steps {steps}  wall {wall:6.0f} s  content {res['content_distance']:.4f}  "
              f"style {res['style_distance']:.4f}  targets {res['meets_targets']}", flush=True)
    print(json.dumps({"tag": a.tag, "minutes": a.minutes, "rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
