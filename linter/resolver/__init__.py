"""Resolvers: evaluate a module or template into :class:`~cloudtrail_lint.model.Trail` objects."""
