"""Metrics engine: key-result progress and roll-ups, KPI trends, anomaly and change-point detection.

Pure Python + numpy/scipy; plain dataclasses in and out. The strategy app translates its models into
these types and back, so the maths can be tested (and trusted) without a database.
"""
