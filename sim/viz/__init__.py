"""Plots: each function takes the data of a run, an ensemble or a sweep (`sim.io.rundata`) and an
optional matplotlib ``Axes`` and returns the ``Figure``; none uses pyplot."""
