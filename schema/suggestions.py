"""No "Did you mean ...?" in error messages: with introspection off, they would still map the
schema to anyone who guesses near a name (fields, arguments, enum values, input fields, types).

graphql-core 3.3 can leave them out itself (`hide_suggestions`), but Strawberry passes that to
neither validation nor execution, and its `disable_field_suggestions` covers fields only.
ErrorCodes (schema/errors.py), which rewrites every error already, takes them out.
"""

from __future__ import annotations

import re

# graphql-core's did_you_mean(): " Did you mean 'a', 'b', or 'c'?" (names hold no "?").
_SUGGESTION = re.compile(r" Did you mean [^?]*\?")


def without_suggestions(message: str) -> str:
    """The message with graphql-core's suggestion sentences taken out."""
    return _SUGGESTION.sub("", message)
