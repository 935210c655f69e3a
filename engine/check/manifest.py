"""The usage manifest: ``govern.yaml`` at a project's root says which models the project uses,
for which tasks, and how (``api`` through a provider, or ``self-host``).

``govern check`` decides every (entry, task) pair and fails the build when an intended use is
not allowed. The manifest is a record like the others: strict, unknown keys refused, and its
JSON Schema printed by ``govern schema manifest``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from govern.fieldtypes import NO_NULL_IN_SCHEMA, AbsentMeans, NonEmptyStr, RecordId
from govern.records import Deployment, Record


class ManifestUse(Record):
    """One intended use: a model, the tasks it is used for, and how it is deployed."""

    model: RecordId
    """Model card id, e.g. ``glm-5.2`` (``govern list models``)."""
    tasks: list[RecordId] = Field(min_length=1)
    """Task ids the model is used for (``govern list tasks``); each is checked on its own."""
    deployment: Deployment
    """How the project runs the model: ``api`` (a provider's endpoint) or ``self-host``."""
    provider: Annotated[NonEmptyStr | None, AbsentMeans("any provider"),
                        NO_NULL_IN_SCHEMA] = None
    """For ``api`` only: the provider the project calls, e.g. ``Z.ai``. Without it, the entry
    passes when any of the model's API offerings is allowed."""
    name: Annotated[NonEmptyStr | None, AbsentMeans("the model id"),
                    NO_NULL_IN_SCHEMA] = None
    """A label for reports, e.g. the component that uses the model."""
    description: str | None = None
    """Free text for readers of the manifest."""

    @field_validator("tasks")
    @classmethod
    def _tasks_once(cls, tasks: list[str]) -> list[str]:
        # Each (entry, task) pair is one test, one alert, one baseline key: a repeat would be
        # two of them with one identity.
        repeated = sorted({t for t in tasks if tasks.count(t) > 1})
        if repeated:
            raise ValueError(f"task listed more than once: {', '.join(repeated)}")
        return tasks

    @model_validator(mode="after")
    def _provider_only_for_api(self) -> ManifestUse:
        if self.provider is not None and self.deployment != "api":
            raise ValueError("'provider' is only for 'deployment: api'")
        return self


class Manifest(Record):
    """A project's declared model usage, checked in CI by ``govern check``."""

    profile: Annotated[RecordId | None, AbsentMeans("the default profile"),

                       NO_NULL_IN_SCHEMA] = None
    """Organisation profile id; ``--profile`` overrides it; default eu-regulated-enterprise."""
    catalog: list[NonEmptyStr] = Field(default_factory=list)
    """Team catalog directories (with ``waivers/``, extra tasks, ...), relative to the
    manifest's directory, layered over the bundled catalog before any ``--catalog``."""
    uses: list[ManifestUse] = Field(min_length=1)
    """The intended uses, each checked for every one of its tasks."""

