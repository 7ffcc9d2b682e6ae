"""The demo organisation: realistic people, teams and customers, made by our own generator."""
