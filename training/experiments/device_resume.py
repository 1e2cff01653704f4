"""Resume the pack runs of training/experiments/device_run.py for another time budget (a second device call).

    python3 -m training.experiments.device_resume --runs .device-carry/resume/runs --seconds 270 --out /tmp/dev
"""
import argparse
import json
import os
import subprocess
import sys
import tarfile

from .device_run import PACK_STYLES, export_fp16

p = argparse.ArgumentParser()
p.add_argument("--runs", required=True)
p.add_argument("--seconds", type=int, required=True)
p.add_argument("--out", required=True)
a = p.parse_args()
weights = {"pack-a": "3", "pack-b": "8"}
procs = []
for name, sw in weights.items():
    d = os.path.join(a.out, "runs", name)
    os.makedirs(d, exist_ok=True)
    os.replace(os.path.join(a.runs, name, "last.pt"), os.path.join(d, "last.pt"))
    log = open(os.path.join(d, "stdout.txt"), "w")
    procs.append(subprocess.Popen([sys.executable, "-m", "training.core.train", "--styles", *PACK_STYLES,
                                   "--norm", "cond_instance", "--batch", "24", "--style-weight", sw,
                                   "--time-budget", str(a.seconds), "--threads", "3", "--log-every", "100",
                                   "--resume", "--out", d], stdout=log, stderr=subprocess.STDOUT))
print([p.wait() for p in procs], flush=True)
report = {"export_fp16": export_fp16(a.out)}
json.dump(report, open(os.path.join(a.out, "report2.json"), "w"), indent=1)
with tarfile.open(os.path.join(a.out, "results2.tar.gz"), "w:gz") as t:
    for root, _, files in os.walk(a.out):
        for f in files:
            full = os.path.join(root, f)
            if not f.endswith(".tar.gz") and f != "last.pt":
                t.add(full, os.path.relpath(full, a.out))
