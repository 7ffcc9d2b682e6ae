"""Coaching pages, one module per part. Thin: parse, call a service or selector, render.

Object-level refusals answer 404, as elsewhere: someone else's practice or review does not
exist for you.
"""
