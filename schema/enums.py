"""The service's enums are the GraphQL enums: one definition, registered under GraphQL names.

Import enums from here (not from db) so they are registered before any type uses them.
"""

from __future__ import annotations

import strawberry

from db.inputs import SortDirection, SortField, StatusFilter, TagMatch
from db.models import Priority

strawberry.enum(Priority, name="Priority")
strawberry.enum(StatusFilter, name="TaskStatus")
strawberry.enum(SortField, name="TaskOrderField")
strawberry.enum(SortDirection, name="OrderDirection")
strawberry.enum(TagMatch, name="TagMatch", description="Any of the tags named, or all of them.")

__all__ = ["Priority", "SortDirection", "SortField", "StatusFilter", "TagMatch"]
