"""One deploy as the --deploys file records it, whatever wrote the file."""

from __future__ import annotations

from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from wicked_platform.tools.report import RecordSource
from wicked_platform.tools.timeutil import UtcDatetime


class DeployRecord(BaseModel):
    """A deploy: service, start, and optionally version, completion, commit. Common spellings of the
    keys from CD tools are accepted (`app`, `tag`, `started_at`, `sha`, ...)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    service: str = Field(min_length=1, validation_alias=AliasChoices("service", "app", "application", "name"))
    version: str | None = Field(None, validation_alias=AliasChoices("version", "tag", "release", "image_tag"))
    at: UtcDatetime = Field(validation_alias=AliasChoices("at", "started_at", "start", "time", "timestamp", "deployed_at"))
    completed_at: UtcDatetime | None = Field(None, validation_alias=AliasChoices("completed_at", "finished_at", "end"))
    commit: str | None = Field(None, validation_alias=AliasChoices("commit", "sha", "revision", "git_sha"))
    source: RecordSource = "deploys-file"  # which reader recognised the file: never read from an entry
    note: str | None = None  # what the reader inferred, and from what (a service named after a chart)

    @model_validator(mode="before")
    @classmethod
    def _what_the_reader_says(cls, data: Any) -> Any:
        # An entry of a user's file cannot claim a deploy system or a note: the reader sets them.
        if isinstance(data, dict) and ("source" in data or "note" in data):
            return {k: v for k, v in data.items() if k not in ("source", "note")}
        return data

    def by(self, source: RecordSource, note: str | None = None) -> DeployRecord:
        """This record as `source`'s reader read it."""
        return self.model_copy(update={"source": source, "note": note})
