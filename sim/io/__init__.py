"""Files: where dipsim may write and how (`files`: the ``.dipsim`` manifest, atomic writes, locks), every
table's columns (`tables`), a run's files as the engine's record gives them (`runfiles`), and reading a
run, an ensemble or a sweep back (`rundata`, which never loads the simulator)."""
