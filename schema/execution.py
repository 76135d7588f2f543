"""Execution that completes plain leaf fields without graphql-core's per-field machinery.

A plain leaf is a field with no resolver, no arguments and no field extension whose type is a
scalar or an enum (`Task.title`, `Task.priority`, `TaskEdge.cursor`): its value is the source's
attribute, coerced. graphql-core still builds a resolve info, calls Strawberry's resolver and
walks complete_value for each one, most of the cost of a list of tasks. Here such a field is
read and coerced directly; anything else, and any value that is not simply coercible (a null
for a non-null field, a coercion that fails), takes graphql-core's own path, which answers
exactly as before, errors included.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from enum import Enum, EnumMeta
from typing import Any, NamedTuple

from graphql import (
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    Undefined,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter
from strawberry.types.field import StrawberryField


class _Leaf(NamedTuple):
    attribute: str
    coerce: Callable[[Any], Any]
    non_null: bool


_Plan = Mapping[GraphQLObjectType, Mapping[str, _Leaf]]
_PLANS: weakref.WeakKeyDictionary[GraphQLSchema, _Plan] = weakref.WeakKeyDictionary()


def _plan(schema: GraphQLSchema) -> _Plan:
    """The plain leaves of every object type, by field name."""
    plan = _PLANS.get(schema)
    if plan is None:
        plan = _PLANS[schema] = {
            type_: leaves
            for type_ in schema.type_map.values()
            if isinstance(type_, GraphQLObjectType) and (leaves := _plain_leaves(type_))
        }
    return plan


def _plain_leaves(type_: GraphQLObjectType) -> dict[str, _Leaf]:
    leaves = {}
    for name, field in type_.fields.items():
        definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
        # Strawberry marks the resolver of a field without resolver or extension as its default.
        if not (
            isinstance(definition, StrawberryField)
            and getattr(field.resolve, "_is_default", False)
            and definition.default_resolver is getattr
            and not field.args
        ):
            continue
        non_null = isinstance(field.type, GraphQLNonNull)
        leaf = field.type.of_type if non_null else field.type
        if is_leaf_type(leaf):
            leaves[name] = _Leaf(definition.python_name, _coerce(leaf), non_null)
    return leaves


def _coerce(type_: GraphQLLeafType) -> Callable[[Any], Any]:
    """The type's coerce_output_value; for an enum, its answers for the members looked up.

    Strawberry's enum compares the value with each of the enum's values on every call.
    """
    if not isinstance(type_, CustomGraphQLEnumType):
        return type_.coerce_output_value
    members: EnumMeta = type_.wrapped_cls
    every: list[Enum] = list(members)
    names = {member: type_.coerce_output_value(member) for member in every}
    coerce = type_.coerce_output_value

    def coerce_enum(value: Any) -> Any:
        # A member itself, as Strawberry checks; any other value the type's own way.
        return names[value] if type(value) is members else coerce(value)

    return coerce_enum


_SLOW = object()  # the field's value needs graphql-core's path


def _read(source: Any, leaf: _Leaf) -> Any:
    """The field's completed value, or _SLOW when graphql-core must complete it (or fail)."""
    try:
        value = getattr(source, leaf.attribute)
        if value is None:
            return _SLOW if leaf.non_null else None
        coerced = leaf.coerce(value)
    except Exception:  # graphql-core's path reports it
        return _SLOW
    return _SLOW if coerced is None or coerced is Undefined else coerced


class PlainLeavesExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain leaves read and coerced in place."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        middleware = self.middleware_manager
        # A middleware (an extension's `resolve`) must see every field: no shortcut then.
        self._leaves = {} if middleware and middleware.middlewares else _plan(self.schema)
        # Selections of plain leaves only, by the identity of graphql-core's memoized field
        # set, which is kept alive with its entry (an id must not be reused meanwhile).
        self._leaf_sets: dict[int, tuple[GroupedFieldSet, list[tuple[str, _Leaf]] | None]] = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        leaves = self._only_leaves(parent_type, grouped_field_set)
        if leaves is not None:
            results = {}
            for response_name, leaf in leaves:
                value = _read(source_value, leaf)
                if value is _SLOW:
                    break
                results[response_name] = value
            else:
                return results
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def _only_leaves(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> list[tuple[str, _Leaf]] | None:
        """The selection's fields with their leaves, when every one is a plain leaf."""
        cached = self._leaf_sets.get(id(grouped_field_set))
        if cached is not None and cached[0] is grouped_field_set:
            return cached[1]
        leaves = self._leaves.get(parent_type, {})
        selected = [
            (response_name, leaves.get(details[0].node.name.value))
            for response_name, details in grouped_field_set.items()
        ]
        only = [(name, leaf) for name, leaf in selected if leaf is not None]
        plan = only if len(only) == len(selected) else None
        self._leaf_sets[id(grouped_field_set)] = (grouped_field_set, plan)
        return plan

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        leaves = self._leaves.get(parent_type)
        if leaves is not None:
            leaf = leaves.get(field_details_list[0].node.name.value)
            if leaf is not None:
                value = _read(source, leaf)
                if value is not _SLOW:
                    return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
