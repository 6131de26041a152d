"""The GraphQL API: strawberry types, queries, mutations, DataLoaders, limits, federation keys."""
