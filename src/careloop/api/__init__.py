"""The public REST API: thin over the domains' services, described by an OpenAPI schema."""
