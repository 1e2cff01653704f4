"""Pastiche trainer: fast feed-forward style transfer with instance normalization.

Three rooms (training/README.md), each importing only from those before it:
- core: model, vgg (loss network), data, losses, train, export, eval, and the helpers they share;
- deploy: the files the app ships (build_pack, regraph, quantize, rgb8, fixtures);
- experiments: comparisons, trials and the GPU run.
"""
