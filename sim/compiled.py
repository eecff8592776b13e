"""The one way dipsim compiles its arithmetic: numba's ``njit``, cached on disk, numpy's error semantics.

A day of a 14-actor crisis is a few hundred tiny array operations; in numpy each costs a microsecond
or two of call overhead whatever the array's size, which is most of a run's time. The rules' and the
engine's arithmetic is therefore written as `kernel` functions: loops over the ``(runs, ...)`` arrays
compiled by numba, one call a rule a day. The formulas inside them are small kernels too, each tested
by hand on its own; the elementwise ones work on numbers as well as arrays, so a rule's kernel calls
the same formula for each actor and each formula exists once.

Compiled code is cached in ``__pycache__`` (the first run on a machine compiles for some seconds).
numba keys a cached kernel on its own file only, so a kernel calls kernels of its own module alone;
whatever it needs from another module is passed in as an array.
"""

from __future__ import annotations

import numba

#: Decorator for compiled functions. ``error_model="numpy"``: division by zero gives inf or nan, as in
#: numpy, rather than raising; no ``fastmath``, so the arithmetic is IEEE's, in the order written.
kernel = numba.njit(cache=True, error_model="numpy")
