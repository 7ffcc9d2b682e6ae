"""Pages of the conversations app, one module per part. Thin: parse, call a service or selector,
render."""
