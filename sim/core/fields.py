"""The vocabulary shared by scenarios, rules and outputs: actor fields, their ranges, tie kinds."""

#: Every actor's numeric fields, in the order used by arrays and output columns.
FIELDS = ("alignment", "ceasefire", "capability", "stubbornness", "intensity", "territory", "losses")

#: The fields only the two sides (the belligerents) hold: every other actor's stay at 0. ``territory`` is the
#: share of the contested area a side's forces hold; ``losses`` the military deaths it has suffered.
FIGHTING = ("intensity", "territory", "losses")

#: The largest intensity, and the largest size of any number a scenario gives (a condition's value, a
#: shift): far above anything the model describes (the bundled scenarios stay below 2,000; the runaway
#: arms race reaches 1e9 in 200 days), and far enough below the float overflow (1.8e308) that the rules'
#: products of intensities and coefficients stay finite and printed numbers stay short.
LARGEST = 1e12

#: The closed range of each field; rules' changes are clipped to it.
RANGES = {
    "alignment": (-1.0, 1.0),
    "ceasefire": (0.0, 1.0),
    "capability": (0.0, 1.0),
    "stubbornness": (0.0, 1.0),
    "intensity": (0.0, LARGEST),
    "territory": (0.0, 1.0),
    "losses": (0.0, LARGEST),
}

#: Fields that carry an anchor (the stance an actor holds to, Friedkin-Johnsen's x(0)).
ANCHORED = ("alignment", "ceasefire")

#: The kinds a tie between two actors can be.
TIE_KINDS = ("alliance", "support", "membership", "partnership", "rivalry", "hostility", "mediation",
             "peacekeeping")

#: Tie kinds that give access to a side rather than a propensity to align with it: a mediator's channel and a
#: guarantor's peacekeepers between the sides (the coalition measure leaves them out).
CHANNELS = ("mediation", "peacekeeping")

#: Comparisons a structured event condition may use.
COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")

#: Model-level measures a structured event condition may test (``when = {measure = ...}``).
MEASURES = (
    "mean_alignment", "polarization", "friendly_share", "balance_index",
    "ceasefire_in_force", "ceasefire_count", "breakdowns",
)


def measure_names(sides: tuple[str, str] | list[str]) -> tuple[str, ...]:
    """Every measure the engine records each day, in order (the columns of ``model.csv`` after ``step``):
    `MEASURES`, with each side's intensity after the first four."""
    return (*MEASURES[:4], f"intensity_{sides[0]}", f"intensity_{sides[1]}", *MEASURES[4:])
