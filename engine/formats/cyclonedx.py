"""A CycloneDX 1.6 ML-BOM of the models a manifest uses: one ``machine-learning-model``
component per model, with its vendor as supplier, its licence (an SPDX id when the card's licence
is one, an SPDX expression when it joins licences with AND, OR or WITH, else a named licence) and, as properties, each (entry, task) pair's decision.

Built with ``cyclonedx-python-lib`` (the CycloneDX project's own model and serializer), so the
document follows the specification as that library reads it. Deterministic: the serial number
is derived from the report's content and the timestamp is the decision date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Mapping

from cyclonedx.model import Property
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.contact import OrganizationalEntity
from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
from cyclonedx.model.tool import Tool
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.spdx import fixup_id

from govern.check.report import CheckReport, EntryResult
from govern.records import ModelCard

PROPERTY_PREFIX = "govern:"
"""CycloneDX property names are namespaced; govern's start with ``govern:``."""


def _licence(card: ModelCard) -> list[DisjunctiveLicense | LicenseExpression]:
    if not card.license:
        return []
    if re.search(r" (AND|OR|WITH) ", card.license):  # normalised: operators are upper case
        return [LicenseExpression(card.license)]
    spdx = fixup_id(card.license.strip())  # the canonical SPDX id, or None when it is not one
    if spdx is not None:
        return [DisjunctiveLicense(id=spdx)]
    return [DisjunctiveLicense(name=card.license.strip())]


def _pair_properties(entry: EntryResult) -> list[Property]:
    pair = f"{PROPERTY_PREFIX}use:{entry.entry}:{entry.task}"
    values = [("deployment", entry.intended), ("verdict", entry.verdict),
              ("status", entry.status)]
    if entry.rule:
        values.append(("rule", entry.rule))
    values += [("obligation", o.obligation) for o in entry.obligations]
    return [Property(name=f"{pair}:{key}", value=value) for key, value in values]


def _component(card: ModelCard, entries: list[EntryResult]) -> Component:
    properties = [Property(name=f"{PROPERTY_PREFIX}vendor-jurisdiction",
                           value=str(card.vendor.jurisdiction)),
                  Property(name=f"{PROPERTY_PREFIX}open-weights",
                           value=str(card.open_weights).lower()),
                  Property(name=f"{PROPERTY_PREFIX}card-as-of", value=str(card.as_of))]
    for entry in entries:
        properties += _pair_properties(entry)
    return Component(
        type=ComponentType.MACHINE_LEARNING_MODEL, name=card.id, description=card.name,
        bom_ref=f"model:{card.id}", supplier=OrganizationalEntity(name=card.vendor.name),
        licenses=_licence(card), properties=properties)


def bom_document(report: CheckReport, cards: Mapping[str, ModelCard]) -> Bom:
    """The BOM of the report's models; ``cards`` maps each model id to its card."""
    bom = Bom()
    digest = hashlib.sha256(report.model_dump_json().encode()).hexdigest()
    bom.serial_number = uuid.UUID(digest[:32])
    bom.metadata.timestamp = dt.datetime.combine(report.as_of, dt.time(), tzinfo=dt.UTC)
    bom.metadata.tools.tools.add(Tool(vendor="govern", name="govern", version=report.version))
    bom.metadata.properties.add(Property(name=f"{PROPERTY_PREFIX}manifest",
                                         value=report.manifest))
    bom.metadata.properties.add(Property(name=f"{PROPERTY_PREFIX}profile", value=report.profile))
    bom.metadata.properties.add(Property(name=f"{PROPERTY_PREFIX}policy-set-digest",
                                         value=report.policy_set_digest))
    for model_id in dict.fromkeys(e.model for e in report.entries):
        bom.components.add(_component(cards[model_id],
                                      [e for e in report.entries if e.model == model_id]))
    return bom


def render_check_cyclonedx(report: CheckReport, cards: Mapping[str, ModelCard]) -> str:
    return JsonV1Dot6(bom_document(report, cards)).output_as_string(indent=2) + "\n"
