"""Changes to customers and conversations: one function per use case."""
