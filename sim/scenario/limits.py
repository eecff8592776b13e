"""The bounds of a scenario (docs/scenario-format.md, "Limits"): whatever a file or a --set gives,
loading and validating take seconds, and a run's record stays within about half a gigabyte.
"""

#: The largest scenario file (or text given to `loads`): 100,000 actors and 100,000 ties take 16 MiB.
MAX_FILE_BYTES = 32 * 2**20
#: The largest source text (the baseline's article is 5 KB; a long report a few hundred).
MAX_SOURCE_BYTES = 2 * 2**20
#: The most files in a chain of ``extends``.
MAX_EXTENDS = 32
#: The most days of a run.
MAX_STEPS = 100_000
#: The most entries of each section: every rule acts every day and adds a column to a run's record of
#: contributions; every event is looked at every day.
MAX_ENTRIES = {"actors": 100_000, "ties": 200_000, "rules": 16, "events": 10_000}
#: The most actor-days and tie-days of a run: a run records about 400 bytes an actor a day (its fields and
#: each rule's contribution to them) and about 10 a tie.
MAX_ACTOR_DAYS = 1_000_000
MAX_TIE_DAYS = 10_000_000
#: The most quotations checked against a source (each check reads the source: 0.4 ms for 2 MiB).
MAX_QUOTATIONS = 10_000
#: The most articles a scenario may cite (``source = [...]``).
MAX_SOURCES = 32
#: The longest ids and names (they name folders, columns and files), labels (titles, names, kinds) and
#: prose (descriptions, notes, quotations, paths), in characters.
MAX_ID, MAX_LABEL, MAX_PROSE = 64, 200, 10_000
