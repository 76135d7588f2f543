"""Strawberry GraphQL: types, inputs, resolvers over the task service."""
