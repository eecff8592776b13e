"""dipsim: a diplomatic-alignment simulator for teaching international relations.

The numerical core (scenario loading, the rules, the measures) is importable without Mesa,
pandas or matplotlib; `sim.model.CrisisModel` is the Mesa face of one run.
"""

__version__ = "0.1.0"
