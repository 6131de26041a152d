"""The public GraphQL object types, each built from its model by `from_model()`."""
