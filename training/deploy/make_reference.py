"""The reference generator for speed comparisons (docs/performance.md): Johnson et al.'s residual
net with IN at 32/64/128 channels, upsample + conv, random weights, opset 17.

    python3 -m training.deploy.make_reference [--out bench/models]
"""
import argparse
import json
import os

import torch

from ..core.export import export_model
from ..core.model import Generator, GeneratorConfig
from ..core.paths import REPO_ROOT


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", default=os.path.join(REPO_ROOT, "bench", "models"))
    a = p.parse_args(argv)
    torch.manual_seed(0)
    g = Generator(GeneratorConfig(width=32, norm="instance"))
    refs = export_model(g, a.out, "reference-w32")
    with open(os.path.join(a.out, "reference.json"), "w") as f:
        json.dump({"id": "reference-w32", "config": g.cfg.to_dict(), **refs["full"], "tiles": refs["tiles"],
                   "statsSize": g.stats_size, "receptiveField": g.receptive_field()}, f, indent=1)
    print(refs)


if __name__ == "__main__":
    main()
