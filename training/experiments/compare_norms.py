"""Picture for the BN vs IN comparison: the same photos through both generators, each used the
way it is meant to be (BN with its frozen running statistics, IN as is).

    python3 -m training.experiments.compare_norms IN.pt BN.pt --out models/eval/bn-vs-in.jpg
"""
import argparse

import torch
from PIL import Image, ImageDraw

from ..core.eval import load_kodak, stylize
from ..core.export import load_checkpoint


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("instance_checkpoint")
    p.add_argument("batch_checkpoint")
    p.add_argument("--out", required=True)
    p.add_argument("--photos", type=int, nargs="+", default=[2, 4, 15, 19, 23])
    a = p.parse_args(argv)
    torch.set_grad_enabled(False)
    photos = load_kodak(384)
    rows = []
    for label, ck in (("photo", None), ("instance norm", a.instance_checkpoint), ("batch norm", a.batch_checkpoint)):
        g = load_checkpoint(ck) if ck else None
        row = []
        for i in a.photos:
            x = photos[i - 1]
            y = x if g is None else stylize(g, x, None)
            row.append(Image.fromarray(y[0].permute(1, 2, 0).round().byte().numpy()))
        rows.append((label, row))
    h = 256   # one row height; portrait and landscape photos keep their aspect
    rows = [(label, [im.resize((round(im.width * h / im.height), h), Image.LANCZOS) for im in row])
            for label, row in rows]
    width = sum(im.width for im in rows[0][1]) + 4 * (len(a.photos) - 1)
    sheet = Image.new("RGB", (width, (h + 24) * len(rows)), (20, 20, 20))
    draw = ImageDraw.Draw(sheet)
    for r, (label, row) in enumerate(rows):
        draw.text((8, r * (h + 24) + 6), label, fill=(230, 230, 230))
        x = 0
        for im in row:
            sheet.paste(im, (x, r * (h + 24) + 24))
            x += im.width + 4
    sheet.save(a.out, quality=88)


if __name__ == "__main__":
    main()
