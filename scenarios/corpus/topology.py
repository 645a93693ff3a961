"""Services, their call chain and their names in Kubernetes, drawn from a seed."""

from __future__ import annotations

import random

from pydantic import BaseModel, ConfigDict

# Product areas and the words services are named with; a drawn name joins one of each.
AREAS = ("checkout", "payment", "cart", "auth", "login", "search", "catalog", "pricing", "inventory", "shipping",
         "orders", "ledger", "profile", "media", "billing", "reviews", "quotes", "tickets")
SUFFIXES = ("api", "service", "svc", "worker", "gateway", "backend")
NAMESPACES = ("shop", "commerce", "prod", "payments", "platform", "core", "web")
# The contract's critical user paths: checkout, payment, auth, login.
CRITICAL_AREAS = frozenset({"checkout", "payment", "auth", "login", "cart", "billing", "orders"})


class Service(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    area: str
    deployment: str
    namespace: str | None
    critical: bool


class Topology(BaseModel):
    """`chain[0]` is what users call; each service calls the next one. Others are bystanders."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    chain: list[Service]
    bystanders: list[Service]

    @property
    def services(self) -> list[Service]:
        return [*self.chain, *self.bystanders]


def draw_topology(rng: random.Random, chain_length: int, bystanders: int, critical_root: bool) -> Topology:
    """A call chain of `chain_length` services (the last is where trouble starts) and some bystanders.

    `critical_root` puts the chain on a critical user path, so the entry service is critical."""
    critical_areas = sorted(CRITICAL_AREAS)
    other_areas = sorted(set(AREAS) - CRITICAL_AREAS)
    first_pool = critical_areas if critical_root else other_areas
    areas = [rng.choice(first_pool)]
    rest = [a for a in AREAS if a != areas[0]]
    areas += rng.sample(rest, chain_length - 1 + bystanders)
    namespace = rng.choice(NAMESPACES) if rng.random() < 0.7 else None
    # Sometimes the deployment is not named after the service: the context says so, as teams do.
    services = []
    for area in areas:
        name = f"{area}-{rng.choice(SUFFIXES)}"
        deployment = f"{name}-{rng.choice(('prod', 'v2', 'deploy'))}" if rng.random() < 0.2 else name
        services.append(Service(name=name, area=area, deployment=deployment, namespace=namespace,
                                critical=area in CRITICAL_AREAS))
    if critical_root:
        # A failure deep in a critical chain is on the critical path too: the user's request needs it.
        services[:chain_length] = [s.model_copy(update={"critical": True}) for s in services[:chain_length]]
    return Topology(chain=services[:chain_length], bystanders=services[chain_length:])
