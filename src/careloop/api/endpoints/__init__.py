"""The API over the culture domains, one module per domain: its serializers and its views.

Each view is thin over the domain's selectors and services, declares its scope per method and
its owner's action, and reads rows through `restrict`/`may` (or `restrict_shared` where every
holder of the action sees the same rows), acting as the key's owner.
"""
