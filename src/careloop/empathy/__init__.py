"""The empathy engine: customer emotion, reply empathy, policy walls and blame, offline."""
