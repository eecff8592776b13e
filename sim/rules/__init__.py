"""The rule library: one module per rule, and the registry scenarios name them by."""

from sim.rules.alliance import Alliance
from sim.rules.balance import Balance
from sim.rules.base import Param, ParamError, Rule
from sim.rules.battlefield import Battlefield
from sim.rules.escalation import Escalation
from sim.rules.influence import Influence
from sim.rules.mediation import Mediation
from sim.rules.noise import Noise
from sim.rules.war_aims import WarAims

#: Every rule by its scenario name, in the order the docs list them.
REGISTRY: dict[str, type[Rule]] = {
    rule.name: rule for rule in (Influence, Escalation, Alliance, Battlefield, WarAims, Mediation, Balance, Noise)
}

__all__ = ["REGISTRY", "Param", "ParamError", "Rule"]
