"""The baseline model written the naive way: a Mesa agent loop per rule, Python floats per agent.

Kept as the speed reference for benchmarks/bench_run.py (dipsim's numpy engine must beat it), and as
a cross-check: with the stochastic parts switched off it computes the same trajectories.
"""

from __future__ import annotations

import math

import mesa

from sim.scenario import Scenario

SIGNS = (-1.0, 1.0)


class NaiveActor(mesa.Agent):
    def __init__(self, model, actor):
        super().__init__(model)
        self.actor_id = actor.id
        for field in ("alignment", "ceasefire", "capability", "stubbornness", "intensity", "territory", "losses"):
            setattr(self, field, getattr(actor, field))
        self.anchor = {"alignment": actor.alignment, "ceasefire": actor.ceasefire}
        self.change = {}

    def add(self, field, value):
        self.change[field] = self.change.get(field, 0.0) + value


class NaiveModel(mesa.Model):
    """The same rules as dipsim's baseline, one agent and one tie at a time."""

    def __init__(self, scenario: Scenario, rng=None):
        super().__init__(rng=rng)
        self.spec = scenario
        self.by_id = {a.id: NaiveActor(self, a) for a in scenario.actors}
        self.ties = [{"a": t.source, "b": t.target, "directed": t.directed, "kind": t.kind, "weight": t.weight}
                     for t in scenario.ties]
        self.params = {r.rule: dict(r.params) for r in scenario.rules}
        self.sides = [self.by_id[s] for s in scenario.sides]
        self.sides_ids = set(scenario.sides)
        self.in_force, self.credit = False, {a: 0.0 for a in self.by_id}
        self.brokers, self.front = [], {s.actor_id: (0.0, 0.0) for s in self.sides}
        self.triads = self._triads()
        self.record = []

    def _tie(self, x, y):
        for tie in self.ties:
            if {tie["a"], tie["b"]} == {x, y}:
                return tie
        return None

    def _triads(self):
        ids = list(self.by_id)
        found = []
        for i, x in enumerate(ids):
            for j in range(i + 1, len(ids)):
                for k in range(j + 1, len(ids)):
                    ties = [self._tie(x, ids[j]), self._tie(x, ids[k]), self._tie(ids[j], ids[k])]
                    if all(ties):
                        found.append(ties)
        return found

    def backing(self, side):
        return sum(a.capability * max(0.0, SIGNS[side] * a.alignment)
                   for a in self.agents if a not in self.sides)

    def step(self):
        for agent in self.agents:
            agent.change = {}
        for name, params in self.params.items():
            propose = getattr(self, f"rule_{name}", None)
            if propose is not None:
                propose(params)
        for agent in self.agents:
            for field, value in agent.change.items():
                low, high = {"alignment": (-1, 1), "ceasefire": (0, 1), "intensity": (0, math.inf),
                             "territory": (0, 1), "losses": (0, math.inf)}[field]
                if field in ("intensity", "territory", "losses") and agent not in self.sides:
                    high = 0.0
                setattr(agent, field, min(high, max(low, getattr(agent, field) + value)))
        if "battlefield" in self.params:
            self.front = self.battle(self.params["battlefield"])
        if "mediation" in self.params:
            self.settle_mediation(self.params["mediation"])
        if "balance" in self.params:
            self.settle_balance(self.params["balance"])
        self.record.append({a.actor_id: a.alignment for a in self.agents})

    def rule_influence(self, p):
        for agent in self.agents:
            row, total = {}, 0.0
            for tie in self.ties:
                for source, target in ((tie["a"], tie["b"]), (tie["b"], tie["a"])):
                    if target == agent.actor_id and (not tie["directed"] or source == tie["a"]):
                        w = max(tie["weight"], 0.0) * self.by_id[source].capability
                        row[source] = row.get(source, 0.0) + w
                        total += w
            for field in p["fields"]:
                pulled = sum(w * getattr(self.by_id[j], field) for j, w in row.items()) / total if total > 0 \
                    else getattr(agent, field)
                lam = 1.0 - agent.stubbornness
                target = lam * pulled + (1 - lam) * agent.anchor[field]
                agent.add(field, p["rate"] * (target - getattr(agent, field)))

    def rule_escalation(self, p):
        x, y = self.sides
        grievance = [p["grievance"][s] * (1 - p["ceasefire_damping"] * self.in_force) + p["backing"] * self.backing(s)
                     for s in (0, 1)]
        x.add("intensity", p["dt"] * (p["defense"][0] * y.intensity - p["fatigue"][0] * x.intensity + grievance[0]))
        y.add("intensity", p["dt"] * (p["defense"][1] * x.intensity - p["fatigue"][1] * y.intensity + grievance[1]))

    def rule_alliance(self, p):
        for agent in self.agents:
            if agent in self.sides:
                continue
            for s, side in enumerate(self.sides):
                tie = self._tie(agent.actor_id, side.actor_id)
                if tie and tie["kind"] in p["kinds"] and tie["weight"] > 0:
                    urgency = side.intensity / (side.intensity + p["half"])
                    agent.add("alignment", p["rate"] * tie["weight"] * urgency * (SIGNS[s] - agent.alignment))

    def battle(self, p, in_force=False):
        """What a day of battle brings each side: {side id: (ground gained, losses)}."""
        if in_force:
            return {s.actor_id: (0.0, 0.0) for s in self.sides}
        fire, strength = [], []
        for s, side in enumerate(self.sides):
            support = 0.0
            for agent in self.agents:
                tie = self._tie(agent.actor_id, side.actor_id)
                if agent not in self.sides and tie and tie["kind"] in p["kinds"] and tie["weight"] > 0:
                    support += tie["weight"] * agent.capability * max(0.0, SIGNS[s] * agent.alignment)
            fire.append(side.intensity * side.capability * (1 + p["support"] * support))
            strength.append(max(p["forces"][s] - side.losses, 0.0))
        attacker = 0 if strength[0] * fire[0] >= strength[1] * fire[1] else 1
        defender = 1 - attacker
        advantage = p["defence"] * (1 + p["depth"] * self.sides[attacker].territory)
        attack, defend = strength[attacker] * fire[attacker], advantage * strength[defender] * fire[defender]
        gain = p["advance"] * (attack - defend) / (attack + defend) if attack > defend else 0.0
        gain = min(gain, self.sides[defender].territory)
        losses = {attacker: p["lethality"] * defend, defender: p["lethality"] * attack}
        return {side.actor_id: (gain if s == attacker else -gain, losses[s]) for s, side in enumerate(self.sides)}

    def rule_battlefield(self, p):
        for side in self.sides:
            gained, lost = self.battle(p, self.in_force)[side.actor_id]
            side.add("territory", gained)
            side.add("losses", lost)

    def rule_war_aims(self, p):
        for s, side in enumerate(self.sides):
            gained, lost = self.front[side.actor_id]
            if gained > 0 and side.territory >= p["aims"][s]:
                gained = 0.0
            gain = gained - p["price"] * lost / 1000
            side.add("ceasefire", p["rate"] * (max(-gain, 0) * (1 - side.ceasefire) - max(gain, 0) * side.ceasefire))

    def _pressure(self, p, agent, side):
        tie = self._tie(agent.actor_id, side.actor_id)
        access = max(p["access"], tie["weight"] if tie else 0.0)
        return agent.capability * agent.ceasefire * access

    def rule_noise(self, p):
        for agent in self.agents:
            for field in p["fields"]:
                agent.add(field, p["sigma"] * self.rng.standard_normal())

    def rule_mediation(self, p):
        for s, side in enumerate(self.sides):
            push = sum(self._pressure(p, a, side) for a in self.agents if a not in self.sides)
            push += p["hurting"] * self.sides[1 - s].intensity
            side.add("ceasefire", p["rate"] * (push * (1 - side.ceasefire)
                                                - p["stiffening"] * self.backing(s) * side.ceasefire))

    def settle_mediation(self, p):
        hold = {a.actor_id: min(self._pressure(p, a, side) for side in self.sides)
                for a in self.agents if a not in self.sides}
        for actor, value in hold.items():
            self.credit[actor] += value
        shortfall = sum(max(0.0, p["threshold"] - side.ceasefire) for side in self.sides)
        guard = max([self.by_id[t["a"] if t["b"] in self.sides_ids else t["b"]].capability * t["weight"]
                     for t in self.ties if t["kind"] == "peacekeeping" and t["weight"] > 0
                     and {t["a"], t["b"]} & self.sides_ids], default=0.0)
        hazard = (p["breakdown"] + p["breakdown_intensity"] * sum(s.intensity for s in self.sides) / 2
                  + p["breakdown_unwilling"] * shortfall) * (1 - p["guarantee"] * guard)
        breaks = [u < 1 - math.exp(-hazard) for u in (self.rng.random(), self.rng.random())]
        if self.in_force:
            if breaks[0]:
                self.end_ceasefire(p)
        elif all(s.ceasefire >= p["threshold"] for s in self.sides):
            self.start_ceasefire(self.credit)
        elif p["leverage"] is not None and sum(hold.values()) >= p["leverage"]:
            self.start_ceasefire(hold)
            if breaks[1]:
                self.end_ceasefire(p)

    def start_ceasefire(self, credit):
        top = max(credit.values(), default=0.0)
        self.brokers = [a for a, c in credit.items() if top > 0 and c >= top / 2]
        self.in_force = True
        self.credit = dict.fromkeys(self.credit, 0.0)

    def end_ceasefire(self, p):
        self.in_force = False
        for side in self.sides:
            side.ceasefire *= 1 - p["setback"]
        for broker in self.brokers:
            self.by_id[broker].ceasefire *= 1 - p["spent"]
        self.credit = dict.fromkeys(self.credit, 0.0)

    def settle_balance(self, p):
        updates = p["updates"] if p["updates"] is not None else len(self.ties)
        for _ in range(updates):
            imbalanced = [t for t in self.triads if math.prod(1 if x["weight"] >= 0 else -1 for x in t) < 0]
            if not imbalanced:
                break
            triad = imbalanced[int(self.rng.random() * len(imbalanced))]
            hostile = [x for x in triad if x["weight"] < 0]
            if len(hostile) == 1:
                friendly = [x for x in triad if x["weight"] >= 0]
                target = hostile[0] if self.rng.random() < p["p"] else friendly[int(self.rng.random() * 2)]
            else:
                target = hostile[int(self.rng.random() * 3)]
            if target["kind"] not in p["frozen"]:
                target["weight"] = -target["weight"]
