"""Demo tests that read one demo organisation built for the whole package (see conftest.py)."""

# Enough conversations for every domain's demo rows (scenarios, stories, journeys) to appear.
CONVERSATIONS = 60
