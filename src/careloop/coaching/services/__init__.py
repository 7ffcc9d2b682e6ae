"""Writes for coaching, one module per part: practice, reviews, calibration and plans."""
