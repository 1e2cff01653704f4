"""Pastiche trainer: fast feed-forward style transfer with instance normalization.

Split by concern (after pytorch/examples fast_neural_style): model, vgg (loss network), data,
losses, train, export, eval.
"""
