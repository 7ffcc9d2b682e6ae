"""The ways customers reach us. Each channel stores raw input first, then calls the services."""
