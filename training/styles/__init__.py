"""Styles as data: a style is its instance-norm scale/shift vector on a frozen pack generator."""
