"""Directory benchmark: the typical district query over GraphQL versus a plain JSON endpoint."""
