"""`python -m sim` runs the dipsim command line."""

from sim.cli import main

main()
