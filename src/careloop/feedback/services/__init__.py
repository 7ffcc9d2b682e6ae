"""Writes for the voice of the customer, one module per part: surveys, recovery, concerns,
milestone emails, escalation and theming."""
