"""onnxruntime-node (the runtime the app ships) from Python, through tools/ort-batch.mjs: one
session for many runs of a graph, and the job files it reads. Evaluation, parity checks and int8
calibration all run graphs this way, so there is no Python onnxruntime to keep in step."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from typing import TYPE_CHECKING, Dict, Iterator, List, Sequence

import numpy as np

from .paths import REPO_ROOT

if TYPE_CHECKING:
    import onnx


@contextmanager
def run_folder(graphs: Sequence[str], data: Dict[str, str]) -> Iterator[str]:
    """A temporary folder with the graphs and, at each relative path of `data`, its source file (hard
    links where the file system allows, else copies): a graph whose initializers are external data,
    located relative to the graph's folder, runs from there. Yields the folder; it is removed after."""
    with tempfile.TemporaryDirectory(prefix="pastiche-run-") as d:
        pairs = [(g, os.path.basename(g)) for g in graphs] + [(src, rel) for rel, src in data.items()]
        for src, rel in pairs:
            dst = os.path.join(d, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            try:
                os.link(src, dst)
            except OSError:   # another file system, or a read-only file of another owner
                shutil.copyfile(src, dst)
        yield d


def ort_batch(model_path: str, jobs: List[Dict], ranges=False, threads: int = 0, time: bool = False) -> Dict:
    """Runs training/tools/ort-batch.mjs: one onnxruntime-node session (CPU provider) for all jobs."""
    with tempfile.TemporaryDirectory() as d:
        spec = os.path.join(d, "jobs.json")
        with open(spec, "w") as f:
            json.dump({"model": model_path, "jobs": jobs, "ranges": ranges, "threads": threads, "time": time}, f)
        r = subprocess.run(["node", os.path.join(REPO_ROOT, "training", "tools", "ort-batch.mjs"), spec],
                           capture_output=True, text=True, cwd=REPO_ROOT)
        if r.returncode != 0:
            raise RuntimeError(f"onnxruntime-node failed on {model_path}: {r.stderr.strip()[-2000:]}")
        return json.loads(r.stdout.strip().splitlines()[-1])


def ort_run(model_path: str, feeds: Dict[str, np.ndarray]) -> np.ndarray:
    """One run: the model's first output for these float32 feeds."""
    with tempfile.TemporaryDirectory() as d:
        job = {"feeds": {}, "out": os.path.join(d, "out.bin")}
        for name, arr in feeds.items():
            f = os.path.join(d, f"{name}.bin")
            np.ascontiguousarray(arr, dtype=np.float32).tofile(f)
            job["feeds"][name] = {"file": f, "dims": list(arr.shape)}
        dims = ort_batch(model_path, [job])["dims"][0]
        return np.fromfile(job["out"], dtype=np.float32).reshape(dims)


def ort_outputs(model_path: str, runs: List[Dict[str, np.ndarray]], names: Sequence[str], threads: int = 0,
                time: bool = False):
    """Named outputs of several runs in one session: ([{name: array}] per run, [ms per run] or [])."""
    with tempfile.TemporaryDirectory() as d:
        jobs = []
        for r, feeds in enumerate(runs):
            job: Dict = {"feeds": {}, "outs": {n: os.path.join(d, f"{r}-{n}.bin") for n in names}}
            for name, arr in feeds.items():
                f = os.path.join(d, f"{r}-in-{name}.bin")
                np.ascontiguousarray(arr, dtype=np.float32).tofile(f)
                job["feeds"][name] = {"file": f, "dims": list(arr.shape)}
            jobs.append(job)
        res = ort_batch(model_path, jobs, threads=threads, **({"time": True} if time else {}))
        outs = [{n: np.fromfile(job["outs"][n], dtype=np.float32).reshape(dims[n]) for n in names}
                for job, dims in zip(jobs, res["outDims"], strict=True)]
        return outs, res.get("ms", [])


def one_hot(n: int, i: int) -> np.ndarray:
    s = np.zeros((1, n), np.float32)
    s[0, i] = 1
    return s


def n_styles(model: onnx.ModelProto) -> int:
    for i in model.graph.input:
        if i.name == "style":
            return int(i.type.tensor_type.shape.dim[1].dim_value)
    return 0


def style_feed_jobs(d: str, photos: List[np.ndarray], styles: int, indices: Sequence[int] | None = None,
                    out_dir: str | None = None) -> List[Dict]:
    """One job per (photo, style index; all of the model's styles by default); inputs written once
    as raw float32 files under d, outputs (with out_dir) to out_dir/y{photo}_{style}.bin."""
    indices = list(range(max(styles, 1)) if indices is None else indices)
    style_files = {}
    for si in indices:
        if styles:
            style_files[si] = os.path.join(d, f"style{si}.bin")
            one_hot(styles, si).tofile(style_files[si])
    jobs = []
    for pi, x in enumerate(photos):
        f = os.path.join(d, f"photo{pi}.bin")
        x.tofile(f)
        for si in indices:
            job: Dict = {"feeds": {"input": {"file": f, "dims": list(x.shape)}}}
            if styles:
                job["feeds"]["style"] = {"file": style_files[si], "dims": [1, styles]}
            if out_dir:
                job["out"] = os.path.join(out_dir, f"y{pi}_{si}.bin")
            jobs.append(job)
    return jobs
