"""Who evaluates the policies: the embedded native engine (default) or an OPA server.

Both take the same requests and must return identical ``Decision`` objects; the differential
tests hold them to it. ``BACKENDS`` maps ``--engine`` names to factories.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from govern.core import Decision, PolicySet
from govern.records import ModelCard, Profile, Task, Waiver

OpaMode = Literal["load", "bundle"]
OPA_MODES: tuple[OpaMode, ...] = ("load", "bundle")
"""How the OPA backend gets the policies onto a server (here, not in ``opa``, so the CLI can
offer the choice without importing the HTTP client): see ``govern.backends.opa``."""


@dataclass(frozen=True)
class DecisionRequest:
    """One question: may ``model`` be used for ``task`` by ``profile``?"""

    model: ModelCard
    task: Task
    profile: Profile


class Backend(ABC):
    """Evaluates decision requests against a policy set."""

    name: str

    @abstractmethod
    def decide(self, requests: Sequence[DecisionRequest], policies: PolicySet, as_of: dt.date,
               waivers: Sequence[Waiver] = ()) -> list[Decision]:
        """One decision per request, in order. Raises ``EngineError`` if it cannot decide."""
