"""careloop: customer care built on empathy, empowerment and learning without blame."""
