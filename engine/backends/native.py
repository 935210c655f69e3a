"""The embedded engine: the pure core, in process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from govern.backends import Backend, DecisionRequest
from govern.core import Decision, PolicySet, decide
from govern.records import Waiver


class NativeBackend(Backend):
    name = "native"

    def decide(self, requests: Sequence[DecisionRequest], policies: PolicySet, as_of: dt.date,
               waivers: Sequence[Waiver] = ()) -> list[Decision]:
        return [decide(r.model, r.task, r.profile, policies, as_of, waivers) for r in requests]
