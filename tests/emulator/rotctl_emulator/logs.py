"""CloudWatch Logs: FilterLogEvents' filter patterns over unstructured events, as AWS reads them.

moto 5.2.5 understands a filter pattern only when it is one quoted phrase or
bare words; anything else, e.g. rotctl's `?"<version id>" ?"<secret arn>"`
(either term), an exclusion (`ERROR -Exiting`) or a quoted phrase next to
another term, matches every event. apply() installs the terms AWS documents
for unstructured log events; JSON (`{...}`), space-delimited (`[...]`) and
regular-expression (`%...%`) patterns keep moto's reading.
"""

from __future__ import annotations

import re
from typing import Any

from moto.logs import models as logs_models
from moto.logs.exceptions import InvalidParameterException

_MotoEventMessageFilter = logs_models.EventMessageFilter

# One term: an optional ? (any of these) or - (none of these), then a quoted
# phrase (\" and \\ escaped) or a bare word.
TERM = re.compile(r'\s*([?-]?)(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))')


class TermsFilter:
    """An unstructured-event filter pattern: required terms, `?` alternatives, `-` exclusions.

    AWS: an event matches when it contains every plain term, at least one `?`
    term (when there are any) and no `-` term; terms are case-sensitive and a
    quoted term is an exact phrase. An empty pattern matches every event.
    """

    def __init__(self, pattern: str):
        self.required: list[str] = []
        self.any_of: list[str] = []
        self.excluded: list[str] = []
        position = 0
        text = pattern.rstrip()
        while position < len(text):
            match = TERM.match(text, position)
            if match is None or match.end() == position:
                raise InvalidParameterException(f"Invalid character(s) in term '{text[position:].strip()}'")
            prefix, quoted, bare = match.groups()
            term = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare
            {"?": self.any_of, "-": self.excluded}.get(prefix, self.required).append(term)
            position = match.end()

    def matches(self, message: str) -> bool:
        if any(term not in message for term in self.required):
            return False
        if self.any_of and not any(term in message for term in self.any_of):
            return False
        return not any(term in message for term in self.excluded)


def event_message_filter(pattern: str) -> Any:
    # AWS reads ?term, -term and several quoted or bare terms in one pattern;
    # moto matches everything for them (see the module's docstring).
    stripped = (pattern or "").strip()
    if stripped[:1] in ("{", "[", "%"):
        return _MotoEventMessageFilter(pattern)
    return TermsFilter(stripped)


def apply() -> None:
    """Installs the filter-pattern reading into moto's CloudWatch Logs."""
    logs_models.EventMessageFilter = event_message_filter
