"""Many runs: ensembles and sweeps (levers, designs, seeds), run in chunks on worker processes, stored
as they finish and resumed; the command line only calls this."""
